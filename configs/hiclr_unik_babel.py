"""HiCLR + UNIK pretrained on BABEL, evaluated by KNN localization.

``hiclr_stgcn_babel.py`` with the backbone swapped to UNIK (same arguments
as ST-GCN). Serves the UNIK column (Tab. 2 style KNN on BABEL, and the
BABEL -> PKU-MMD transfer).

    python tools/train.py configs/hiclr_unik_babel.py
    python tools/test.py configs/hiclr_unik_babel.py CHECKPOINT
"""
_base_ = ['./hiclr_stgcn_babel.py']

model = dict(backbone=dict(backbone=dict(type='UNIK')))

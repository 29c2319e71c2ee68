"""AimCLR + UNIK pretrained on BABEL, evaluated by KNN localization.

``aimclr_stgcn_babel.py`` with the encoder swapped to UNIK (same kwargs and
widths as ST-GCN). No paper table: the paper's UNIK results (Tab. 5, S1, S2)
use RVTCLR; this is AimCLR under the same protocol.

    python tools/train.py configs/aimclr_unik_babel.py
    python tools/test.py configs/aimclr_unik_babel.py CHECKPOINT
"""
_base_ = ['./aimclr_stgcn_babel.py']

model = dict(backbone=dict(backbone=dict(type='UNIK')))

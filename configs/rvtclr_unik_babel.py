"""RVTCLR + UNIK pretrained on BABEL, evaluated by KNN localization.

The UNIK rows of the supplementary tables and the pretraining of Tab. 5's
BABEL -> PKU-MMD transfer (RVTCLR, UNIK). ``rvtclr_2sagcn_babel.py`` with
the backbone swapped in one line (UNIK takes AAGCN's/STGCN's arguments).

    python tools/train.py configs/rvtclr_unik_babel.py
"""
_base_ = ['./rvtclr_2sagcn_babel.py']

model = dict(backbone=dict(backbone=dict(type='UNIK')))

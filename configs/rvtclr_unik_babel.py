"""RVTCLR with UNIK, pretrained on BABEL without labels, validated by KNN
localization.

The UNIK rows of Tab. S1, S2 and Tab. 5: ``rvtclr_2sagcn_babel.py`` with
UNIK swapped in.

    python tools/train.py configs/rvtclr_unik_babel.py
    python tools/test.py configs/rvtclr_unik_babel.py \\
        work_dirs/rvtclr_unik_babel/epoch_300.pth
"""
_base_ = ['./rvtclr_2sagcn_babel.py']

model = dict(backbone=dict(backbone=dict(type='UNIK')))

"""AimCLR with UNIK, pretrained on BABEL without labels, validated by KNN
localization.

``aimclr_stgcn_babel.py`` with UNIK swapped in. No paper table: the paper
runs AimCLR with 2s-AGCN only (Tab. 2, 3); its backbone study (Tab. 5, S1,
S2) uses RVTCLR.

    python tools/train.py configs/aimclr_unik_babel.py
    python tools/test.py configs/aimclr_unik_babel.py \\
        work_dirs/aimclr_unik_babel/epoch_300.pth
"""
_base_ = ['./aimclr_stgcn_babel.py']

model = dict(backbone=dict(backbone=dict(type='UNIK')))

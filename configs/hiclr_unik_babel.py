"""HiCLR with UNIK, pretrained on BABEL without labels, validated by KNN
localization.

``hiclr_stgcn_babel.py`` with UNIK swapped in. No paper table: the paper
runs HiCLR with 2s-AGCN only (Tab. 2, 3); its backbone study (Tab. 5, S1,
S2) uses RVTCLR.

    python tools/train.py configs/hiclr_unik_babel.py
    python tools/test.py configs/hiclr_unik_babel.py \\
        work_dirs/hiclr_unik_babel/epoch_300.pth
"""
_base_ = ['./hiclr_stgcn_babel.py']

model = dict(backbone=dict(backbone=dict(type='UNIK')))

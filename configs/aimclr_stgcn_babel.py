"""AimCLR with ST-GCN, pretrained on BABEL without labels, validated by KNN
localization.

AimCLR's recipe: three views (query, key, extreme), energy-based drop, D3M,
nearest-neighbour mining from epoch 150 (0-based, as AimCLR's
``mining_epoch: 150``). No paper table: the paper runs AimCLR with 2s-AGCN
only (Tab. 2, 3); its backbone study (Tab. 5, S1, S2) uses RVTCLR.

    python tools/train.py configs/aimclr_stgcn_babel.py
    python tools/test.py configs/aimclr_stgcn_babel.py \\
        work_dirs/aimclr_stgcn_babel/epoch_300.pth
"""
_base_ = [
    './_base_/models/aimclr_stgcn.py',
    './_base_/datasets/babel_aimclr_knn.py',
    './_base_/schedules/sgd_pretrain_300e.py',
    './_base_/default_runtime.py',
]

mining_start_epoch = 150
custom_hooks = _base_.custom_hooks + [
    dict(type='NeighbourMiningHook', start_epoch=mining_start_epoch),
]

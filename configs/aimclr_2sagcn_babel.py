"""AimCLR with 2s-AGCN, pretrained on BABEL without labels, validated by KNN
localization.

The AimCLR rows of Tab. 2 (KNN) and Tab. 3 (linear): three views (query,
key, extreme), energy-based drop, D3M, nearest-neighbour mining from epoch
150.

    python tools/train.py configs/aimclr_2sagcn_babel.py
    python tools/test.py configs/aimclr_2sagcn_babel.py \\
        work_dirs/aimclr_2sagcn_babel/epoch_300.pth
"""
_base_ = [
    './_base_/models/aimclr_2sagcn.py',
    './_base_/datasets/babel_aimclr_knn.py',
    './_base_/schedules/sgd_pretrain_300e.py',
    './_base_/default_runtime.py',
]

mining_start_epoch = 150
custom_hooks = _base_.custom_hooks + [
    dict(type='NeighbourMiningHook', start_epoch=mining_start_epoch),
]

"""RVTCLR with ST-GCN, pretrained on BABEL without labels, validated by KNN
localization.

The ST-GCN rows of Tab. S1 (KNN) and S2 (linear) and the ST-GCN pretraining
of Tab. 5 (BABEL -> PKU-MMD); data, views and schedule as
``rvtclr_2sagcn_babel.py``.

    python tools/train.py configs/rvtclr_stgcn_babel.py
    python tools/test.py configs/rvtclr_stgcn_babel.py \\
        work_dirs/rvtclr_stgcn_babel/epoch_300.pth
"""
_base_ = [
    './_base_/models/rvtclr_stgcn.py',
    './_base_/datasets/babel_tempo_knn.py',
    './_base_/schedules/sgd_pretrain_300e.py',
    './_base_/default_runtime.py',
]

# RVTCLR's nearest-neighbour positives (top-1 of p̄ and of the part view),
# from epoch 150 of 300 as in its public code.
mining_start_epoch = 150
custom_hooks = _base_.custom_hooks + [
    dict(type='NeighbourMiningHook', start_epoch=mining_start_epoch),
]

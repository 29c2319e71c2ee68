"""RVTCLR + ST-GCN pretrained on BABEL, evaluated by KNN localization.

The ST-GCN rows of the supplementary KNN/linear tables, and the pretraining
of the BABEL -> PKU-MMD transfer in Tab. 5 (RVTCLR, ST-GCN). Same data,
views and schedule as ``rvtclr_2sagcn_babel.py``.

    python tools/train.py configs/rvtclr_stgcn_babel.py
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

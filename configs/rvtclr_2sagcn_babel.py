"""RVTCLR + 2s-AGCN pretrained on BABEL, evaluated by KNN localization.

The RVTCLR baseline row of Tab. 2 (KNN, mAP@tIoU 0.1-0.5, BABEL Subset-1;
set ``subset`` in ``_base_/datasets/babel_knn.py`` for Subsets 2-3); its
checkpoint also starts the linear evaluation of Tab. 3. Batch 128,
300-frame windows as four 150-frame tempo views, SGD lr 0.1, 300 epochs,
nearest-neighbour positives from epoch 150.
The snippet variant is ``snippet_rvtclr_2sagcn_babel.py``.

    python tools/train.py configs/rvtclr_2sagcn_babel.py
    python tools/test.py configs/rvtclr_2sagcn_babel.py CHECKPOINT
"""
_base_ = [
    './_base_/models/rvtclr_2sagcn.py',
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

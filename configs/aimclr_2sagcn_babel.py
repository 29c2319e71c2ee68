"""AimCLR + 2s-AGCN (joint stream) pretrained on BABEL, evaluated by KNN
localization.

The AimCLR row of Tab. 2 (KNN evaluation, mAP@tIoU 0.1-0.5 on BABEL
Subset-1; Subsets 1-3: ``configs/knn/``); its checkpoint also feeds
the linear evaluation of Tab. 3. Same recipe as ``aimclr_stgcn_babel.py``:
three views, batch 128, 300-frame inputs, SGD lr 0.1, 300 epochs, mining
from epoch 150.

    python tools/train.py configs/aimclr_2sagcn_babel.py
    python tools/test.py configs/aimclr_2sagcn_babel.py CHECKPOINT
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

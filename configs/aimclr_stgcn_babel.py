"""AimCLR + ST-GCN pretrained on BABEL, evaluated by KNN localization.

No paper table: the paper runs AimCLR with 2s-AGCN only (Tab. 2, 3) and its
backbone study (Tab. 5, S1, S2) with RVTCLR; this is AimCLR on ST-GCN with the
same protocol (KNN evaluation, mAP@tIoU 0.1-0.5 on BABEL Subset-1; Subsets 1-3:
``configs/knn/``). AimCLR's recipe: three views (query,
key, extreme), batch 128, 300-frame inputs, SGD lr 0.1, 300 epochs,
nearest-neighbour mining from epoch 150 (0-based; AimCLR's
``mining_epoch: 150``). Prepare the data with ``tools/data/prepare_babel.py``
(``docs/datasets.md``).

    python tools/train.py configs/aimclr_stgcn_babel.py
    python tools/test.py configs/aimclr_stgcn_babel.py CHECKPOINT
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

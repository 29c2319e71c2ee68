"""SkeletonCLR + ST-GCN pretrained on BABEL, evaluated by KNN localization.

The ST-GCN row of the backbone study (Tab. 5; KNN, mAP@tIoU 0.1-0.5 on
BABEL Subset-1, Subsets 1-3: ``configs/knn/``). MMAction2's
``STGCN`` in the paper's T/8 layout (stride 2 at stages 2, 5, 8; 64/128/256
channels). Batch 128, 300-frame inputs, SGD lr 0.1, 300 epochs. Prepare the
data with ``tools/data/prepare_babel.py`` (``docs/datasets.md``).

    python tools/train.py configs/skeletonclr_stgcn_babel.py
    python tools/test.py configs/skeletonclr_stgcn_babel.py CHECKPOINT
"""
_base_ = [
    './_base_/models/skeletonclr_stgcn.py',
    './_base_/datasets/babel_knn.py',
    './_base_/schedules/sgd_pretrain_300e.py',
    './_base_/default_runtime.py',
]

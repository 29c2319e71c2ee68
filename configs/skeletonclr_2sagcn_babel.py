"""SkeletonCLR + 2s-AGCN pretrained on BABEL, evaluated by KNN localization.

The baseline of Tab. 2 (KNN evaluation, mAP@tIoU 0.1-0.5 on BABEL
Subset-1; Subsets 1-3: ``configs/knn/``). Batch 128, 300-frame
inputs, SGD lr 0.1, 300 epochs. Prepare the data with
``tools/data/prepare_babel.py`` (``docs/datasets.md``).

    python tools/train.py configs/skeletonclr_2sagcn_babel.py
    python tools/test.py configs/skeletonclr_2sagcn_babel.py CHECKPOINT
"""
_base_ = [
    './_base_/models/skeletonclr_2sagcn.py',
    './_base_/datasets/babel_knn.py',
    './_base_/schedules/sgd_pretrain_300e.py',
    './_base_/default_runtime.py',
]

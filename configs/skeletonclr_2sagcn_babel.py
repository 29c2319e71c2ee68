"""SkeletonCLR with 2s-AGCN, pretrained on BABEL without labels, validated by
KNN localization.

The plain MoCo baseline; the snippet twin adds the dense branch only.

    python tools/train.py configs/skeletonclr_2sagcn_babel.py
    python tools/test.py configs/skeletonclr_2sagcn_babel.py \\
        work_dirs/skeletonclr_2sagcn_babel/epoch_300.pth
"""
_base_ = [
    './_base_/models/skeletonclr_2sagcn.py',
    './_base_/datasets/babel_knn.py',
    './_base_/schedules/sgd_pretrain_300e.py',
    './_base_/default_runtime.py',
]

"""SkeletonCLR with ST-GCN, pretrained on BABEL without labels, validated by
KNN localization.

MMAction2's ``STGCN`` in the T/8 layout (stride 2 at stages 2, 5, 8;
64/128/256 channels). No paper table: the paper's backbone study (Tab. 5,
S1, S2) uses RVTCLR; this is the SkeletonCLR baseline with that backbone.

    python tools/train.py configs/skeletonclr_stgcn_babel.py
    python tools/test.py configs/skeletonclr_stgcn_babel.py \\
        work_dirs/skeletonclr_stgcn_babel/epoch_300.pth
"""
_base_ = [
    './_base_/models/skeletonclr_stgcn.py',
    './_base_/datasets/babel_knn.py',
    './_base_/schedules/sgd_pretrain_300e.py',
    './_base_/default_runtime.py',
]

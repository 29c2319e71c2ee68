"""SkeletonCLR with Hyper-GCN, pretrained on BABEL without labels, validated by
KNN localization.

``HyperGCN`` swapped in for ST-GCN (same arguments, T/8 layout, 8 hyper-
graph heads, 3 virtual joints). No paper table: the paper's backbone study
(Tab. 5, S1, S2) uses RVTCLR; this is the SkeletonCLR baseline with that
backbone.

    python tools/train.py configs/skeletonclr_hypergcn_babel.py
    python tools/test.py configs/skeletonclr_hypergcn_babel.py \\
        work_dirs/skeletonclr_hypergcn_babel/epoch_300.pth
"""
_base_ = ['./skeletonclr_stgcn_babel.py']

model = dict(backbone=dict(backbone=dict(type='HyperGCN')))

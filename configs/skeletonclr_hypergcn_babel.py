"""SkeletonCLR + Hyper-GCN pretrained on BABEL, evaluated by KNN localization.

The Hyper-GCN row of the backbone study (Tab. 5): a backbone whose virtual
hyper-joints add body-wide context to every joint. The ST-GCN config with
the backbone ``type`` swapped, nothing else: ``HyperGCN`` takes STGCN's
arguments and keeps the T/8 layout (stride 2 at stages 2, 5, 8;
64/128/256 channels, 8 hyper-graph heads, 3 virtual joints).

    python tools/train.py configs/skeletonclr_hypergcn_babel.py
    python tools/test.py configs/skeletonclr_hypergcn_babel.py CHECKPOINT
"""
_base_ = ['./skeletonclr_stgcn_babel.py']

model = dict(backbone=dict(backbone=dict(type='HyperGCN')))

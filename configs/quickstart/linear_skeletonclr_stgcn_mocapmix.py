"""Quick start, Stage 2: linear evaluation of the SkeletonCLR encoder.

The MocapMix twin of Tab. 3: the pretrained encoder is frozen (no gradient,
BN statistics fixed, eval mode throughout); only the U-neck and the linear
frame classifier train, on full frame labels. Everything else as
``finetune_skeletonclr_stgcn_mocapmix.py``.

    python tools/train.py configs/quickstart/linear_skeletonclr_stgcn_mocapmix.py
"""
_base_ = ['./finetune_skeletonclr_stgcn_mocapmix.py']

model = dict(freeze_backbone=True)

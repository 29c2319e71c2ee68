"""Quick start, Stage 2: strict linear probe of the SkeletonCLR encoder.

Frozen encoder, no neck: a linear classifier on the last (T/8) level
upsampled to the frames — only ``(K + 1) x 65`` weights train. Learning rate
10x the U-neck's (the public code's rule).

    python tools/train.py configs/quickstart/linear_skeletonclr_stgcn_noneck_mocapmix.py
"""
_base_ = ['./linear_skeletonclr_stgcn_mocapmix.py']

model = dict(neck=None)
optim_wrapper = dict(optimizer=dict(lr=1e-2))

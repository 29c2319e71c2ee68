"""Quick start: AimCLR + snippet contrast (ours) on MocapMix.

The AimCLR quick start plus the dense head and λ, sized as in
``snippet_skeletonclr_stgcn_mocapmix.py``: 128-frame windows give 16
features at T/8, pooled into 8 snippets of 16 frames (Tab. 8's snippet
length), λ = 1.5 (Tab. 7) reached by a linear warm-up over the first half of
training; within-sequence snippet negatives as there; mining from epoch
20 as in the AimCLR quick start.

    python tools/train.py configs/quickstart/snippet_aimclr_stgcn_mocapmix.py
"""
_base_ = ['./aimclr_stgcn_mocapmix.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=64,
        out_channels=32,
        num_snippets=8),
    loss_dense_weight=1.5,
    within_sequence_negatives=True)

custom_hooks = _base_.custom_hooks + [
    dict(type='DenseLossWarmupHook', warmup_iters=240),
]

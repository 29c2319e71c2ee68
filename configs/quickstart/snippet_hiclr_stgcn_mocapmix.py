"""Quick start: HiCLR + snippet contrast (ours) on MocapMix.

The HiCLR quick start plus the dense head and λ, as
``snippet_skeletonclr_stgcn_mocapmix.py``: 8 snippets of 16 frames,
λ = 1.5 reached by a linear warm-up over the first half of training
(96 of 16 x 12 iterations), within-sequence snippet negatives; mining
from epoch 8 as in the HiCLR quick start. The snippet branch contrasts the query view 0 with the normal key
view 1.

    python tools/train.py configs/quickstart/snippet_hiclr_stgcn_mocapmix.py
"""
_base_ = ['./hiclr_stgcn_mocapmix.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=64,
        out_channels=32,
        num_snippets=8),
    loss_dense_weight=1.5,
    within_sequence_negatives=True)

custom_hooks = _base_.custom_hooks + [
    dict(type='DenseLossWarmupHook', warmup_iters=96),
]

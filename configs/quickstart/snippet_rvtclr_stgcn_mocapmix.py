"""Quick start: RVTCLR + snippet contrast (ours) on MocapMix.

``rvtclr_stgcn_mocapmix.py`` plus the dense head and λ: each 128-frame view
gives 16 features at T/8, pooled into 8 snippets of 16 frames (the paper's
snippet length, Tab. 8), matched across the query and its same-tempo key;
λ = 1.5 (Tab. 7), reached by a linear warm-up over the first half of
training (as ``snippet_skeletonclr_stgcn_mocapmix.py``: without it the
snippet loss collapses on this small dataset), with within-sequence
snippet negatives as there.

    python tools/train.py configs/quickstart/snippet_rvtclr_stgcn_mocapmix.py
"""
_base_ = ['./rvtclr_stgcn_mocapmix.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=64,
        out_channels=32,
        num_snippets=8),
    loss_dense_weight=1.5,
    within_sequence_negatives=True)

custom_hooks = _base_.custom_hooks + [
    dict(type='DenseLossWarmupHook', warmup_iters=120),
]

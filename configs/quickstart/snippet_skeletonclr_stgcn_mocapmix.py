"""Quick start: SkeletonCLR + snippet contrast (ours) on MocapMix.

``skeletonclr_stgcn_mocapmix.py`` plus the dense head and λ: 128-frame
windows give 16 features at T/8, pooled into 8 snippets of 16 frames (the
paper's snippet length, Tab. 8); λ = 1.5 (Tab. 7), reached by a linear
warm-up over the first half of training (``DenseLossWarmupHook``, 240 of
480 iterations), without which the snippet loss collapses on this small
dataset (``configs/quickstart/README.md``). Each snippet's negatives are the
snippet queue and the key view's other snippets of the same sequence
(``within_sequence_negatives``, the paper's intra-video negatives; the
paper-scale configs keep Eq. 5's queue only): see docs/experiments.md,
section 5, for what each choice measures.

    python tools/train.py configs/quickstart/snippet_skeletonclr_stgcn_mocapmix.py
    python tools/test.py configs/quickstart/snippet_skeletonclr_stgcn_mocapmix.py \\
        work_dirs/snippet_skeletonclr_stgcn_mocapmix/epoch_40.pth
"""
_base_ = ['./skeletonclr_stgcn_mocapmix.py']

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

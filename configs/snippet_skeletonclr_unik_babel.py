"""SkeletonCLR + snippet contrast (ours), UNIK, BABEL: the baseline plus the
dense head and λ, nothing else (Tab. 5 backbone study).

19 snippets for 300-frame inputs (Tab. 8), λ = 1.5 (Tab. 7).

    python tools/train.py configs/snippet_skeletonclr_unik_babel.py
"""
_base_ = ['./skeletonclr_unik_babel.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)

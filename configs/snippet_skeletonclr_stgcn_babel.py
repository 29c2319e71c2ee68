"""SkeletonCLR + snippet contrast (ours), ST-GCN, BABEL: the baseline plus
the dense head and λ, nothing else (Tab. 5 backbone study).

19 snippets for 300-frame inputs (Tab. 8: 16 frames each), λ = 1.5
(Tab. 7), snippet embeddings of 128 channels with their own 32768 queue.

    python tools/train.py configs/snippet_skeletonclr_stgcn_babel.py
"""
_base_ = ['./skeletonclr_stgcn_babel.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)

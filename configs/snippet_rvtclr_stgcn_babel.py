"""RVTCLR + snippet contrast (ours), ST-GCN, BABEL: ``rvtclr_stgcn_babel.py``
plus the dense head and λ, nothing else (see
``snippet_rvtclr_2sagcn_babel.py`` for what the dense branch does with
RVTCLR's tempo views).

    python tools/train.py configs/snippet_rvtclr_stgcn_babel.py
"""
_base_ = ['./rvtclr_stgcn_babel.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)

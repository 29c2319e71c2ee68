"""HiCLR + snippet contrast (ours), UNIK, BABEL: the baseline plus the
dense head and λ, nothing else.

19 snippets for 300-frame inputs (Tab. 8: 16 frames each), λ = 1.5
(Tab. 7). The snippet branch contrasts the query view 0 with the normal key
view 1 (the strong views 2, 3 feed only HiCLR's hierarchical loss).

    python tools/train.py configs/snippet_hiclr_unik_babel.py
"""
_base_ = ['./hiclr_unik_babel.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)

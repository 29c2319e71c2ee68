"""AimCLR + snippet contrast (ours), 2s-AGCN, BABEL: the AimCLR baseline plus
the dense head and λ, nothing else.

19 snippets for 300-frame inputs (Tab. 8: 16 frames each), λ = 1.5
(Tab. 7), snippet embeddings of 128 channels with their own 32768 queue.
The "AimCLR + ours" row of Tab. 2. The snippet term pairs the query (view 0)
with the normal-augmentation key (view 1); the extreme view feeds the global
and D3M terms only.

    python tools/train.py configs/snippet_aimclr_2sagcn_babel.py
"""
_base_ = ['./aimclr_2sagcn_babel.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)

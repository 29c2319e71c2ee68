"""SkeletonCLR + snippet contrast (ours), 2s-AGCN, NTU-60 xsub: the baseline
plus the dense head and λ, nothing else (19 snippets, λ = 1.5).

Snippet arithmetic (Tab. 8: 19 snippets of 16 frames of a 300-frame input):
each 300-frame view gives 38 steps at the backbone's stride 8, pooled into 19
snippets of 300 / 19 ≈ 16 frames (2 steps) each.

    python tools/train.py configs/pretrain_ntu60/snippet_skeletonclr_2sagcn_ntu60_xsub.py
"""
_base_ = ['./skeletonclr_2sagcn_ntu60_xsub.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)

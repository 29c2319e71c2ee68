"""SkeletonCLR + snippet contrast (ours), 2s-AGCN, NTU-60 xsub: the baseline
plus the dense head and λ, nothing else (19 snippets, λ = 1.5).

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

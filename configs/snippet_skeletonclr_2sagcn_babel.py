"""SkeletonCLR + snippet contrast (ours) with 2s-AGCN, pretrained on BABEL
without labels, validated by KNN localization.

``skeletonclr_2sagcn_babel.py`` plus ``dense_head`` (19 snippets, Eq. 3) and
``loss_dense_weight`` (λ = 1.5, Eq. 6), nothing else.

Snippet arithmetic (Tab. 8: 19 snippets of 16 frames of a 300-frame input):
each 300-frame view gives 38 steps at the backbone's stride 8, pooled into 19
snippets of 300 / 19 ≈ 16 frames (2 steps) each.

    python tools/train.py configs/snippet_skeletonclr_2sagcn_babel.py
    python tools/test.py configs/snippet_skeletonclr_2sagcn_babel.py \\
        work_dirs/snippet_skeletonclr_2sagcn_babel/epoch_300.pth
"""
_base_ = ['./skeletonclr_2sagcn_babel.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)

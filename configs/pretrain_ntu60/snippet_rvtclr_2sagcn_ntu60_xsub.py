"""RVTCLR + snippet contrast (ours), 2s-AGCN, NTU-60 xsub (Tab. 5, "+ Ours"):
the RVTCLR NTU-60 config plus the dense head and λ, nothing else (as
``configs/snippet_rvtclr_2sagcn_babel.py`` adds to its baseline).

Snippet arithmetic (Tab. 8: 19 snippets of 16 frames of a 300-frame input):
the 600-frame windows give 300-frame tempo views
(``_base_/datasets/babel_tempo_knn.py``), 38 steps at the backbone's stride 8,
pooled into 19 snippets of 300 / 19 ≈ 16 view frames (2 steps) each; at 2x
tempo a view frame spans 2 window frames.

    python tools/train.py configs/pretrain_ntu60/snippet_rvtclr_2sagcn_ntu60_xsub.py
"""
_base_ = ['./rvtclr_2sagcn_ntu60_xsub.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)

"""RVTCLR + snippet contrast (ours) with ST-GCN, pretrained on BABEL without
labels, validated by KNN localization.

``rvtclr_stgcn_babel.py`` plus ``dense_head`` (19 snippets, Eq. 3) and
``loss_dense_weight`` (λ = 1.5, Eq. 6), nothing else. Snippets pair the
query with its same-tempo key (``model.dense_positive=other_tempo`` is the
public code's choice, see :class:`RVTCLR`).

Snippet arithmetic (Tab. 8: 19 snippets of 16 frames of a 300-frame input):
the 600-frame windows give 300-frame tempo views
(``_base_/datasets/babel_tempo_knn.py``), 38 steps at the backbone's stride 8,
pooled into 19 snippets of 300 / 19 ≈ 16 view frames (2 steps) each; at 2x
tempo a view frame spans 2 window frames.

    python tools/train.py configs/snippet_rvtclr_stgcn_babel.py
    python tools/test.py configs/snippet_rvtclr_stgcn_babel.py \\
        work_dirs/snippet_rvtclr_stgcn_babel/epoch_300.pth
"""
_base_ = ['./rvtclr_stgcn_babel.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)

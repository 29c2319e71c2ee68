"""Quick start, Stage 2: ``linear_snippet_skeletonclr_stgcn_mocapmix``
with learned temporal refinement (MS-TCN stages on the frame logits,
``_base_/models/ms_tcn_refinement.py``), trained with the rest of Stage 2;
nothing else changes.

    python tools/train.py configs/quickstart/linear_refine_snippet_skeletonclr_stgcn_mocapmix.py
"""
_base_ = [
    './linear_snippet_skeletonclr_stgcn_mocapmix.py',
    '../_base_/models/ms_tcn_refinement.py',
]

model = dict(refinement={{_base_.ms_tcn_refinement}})

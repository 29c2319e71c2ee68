"""Quick start, Stage 2: ``linear_scratch_rawpose_bandaimix``
with learned temporal refinement (MS-TCN stages on the frame logits,
``_base_/models/ms_tcn_refinement.py``), trained with the rest of Stage 2;
nothing else changes.

    python tools/train.py configs/quickstart/linear_refine_scratch_rawpose_bandaimix.py --seed 0
"""
_base_ = [
    './linear_scratch_rawpose_bandaimix.py',
    '../_base_/models/ms_tcn_refinement.py',
]

model = dict(refinement={{_base_.ms_tcn_refinement}})

"""Learned temporal refinement for a Stage-2 localizer: MS-TCN stages (Farha
& Gall, CVPR 2019) on the frame classifier's logits, as MS-GCN (Filtjens et
al.) stacks them on a GCN; ``MultiStageRefinement`` in
``snippet_plugin/models/heads/temporal_refinement.py``.

Two refinement stages after the classifier, each 10 dilated residual
layers (dilations 1 .. 512) of 64 channels, MS-TCN's dropout 0.5; every
stage (the classifier's too) trains on the frame cross-entropy plus 0.15 x
the truncated MSE smoothing loss (τ = 4). A ``*_refine_*`` config is its
plain twin plus this one key:

    _base_ = ['./linear_skeletonclr_stgcn_mocapmix.py',
              '../_base_/models/ms_tcn_refinement.py']
    model = dict(refinement={{_base_.ms_tcn_refinement}})
"""
ms_tcn_refinement = dict(
    type='MultiStageRefinement',
    num_stages=2,
    num_layers=10,
    channels=64,
    dropout=0.5,
    smooth_weight=0.15,
    smooth_clip=4.0)

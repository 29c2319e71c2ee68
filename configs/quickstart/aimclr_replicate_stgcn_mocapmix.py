"""Quick start: AimCLR whose ST-GCN pads time by replication, on MocapMix.

``aimclr_stgcn_mocapmix.py`` with every temporal convolution of the encoder
padding with its edge frame instead of zeros
(``MultiScaleGCN(temporal_padding='replicate')``), as
``skeletonclr_replicate_stgcn_mocapmix.py`` does for SkeletonCLR. The
baseline of ``snippet_aimclr_replicate_stgcn_mocapmix.py``.

    python tools/train.py configs/quickstart/aimclr_replicate_stgcn_mocapmix.py
"""
_base_ = ['./aimclr_stgcn_mocapmix.py']

model = dict(backbone=dict(temporal_padding='replicate'))

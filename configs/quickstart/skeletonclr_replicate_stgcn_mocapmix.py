"""Quick start: SkeletonCLR whose ST-GCN pads time by replication, on MocapMix.

``skeletonclr_stgcn_mocapmix.py`` with every temporal convolution of the
encoder padding with its edge frame instead of zeros
(``MultiScaleGCN(temporal_padding='replicate')``), so that no level sees
where the window ends (issue 21). The baseline of
``snippet_skeletonclr_replicate_stgcn_mocapmix.py``: beside
``skeletonclr_stgcn_mocapmix.py`` it measures what the padding alone does.
Check a checkpoint with ``tools/analysis/position_probe.py``.

    python tools/train.py configs/quickstart/skeletonclr_replicate_stgcn_mocapmix.py
"""
_base_ = ['./skeletonclr_stgcn_mocapmix.py']

model = dict(backbone=dict(temporal_padding='replicate'))

"""RVTCLR (relative visual tempo contrastive learning) with an ST-GCN encoder.

SkeletonCLR's encoder (``skeletonclr_stgcn.py``: MMAction2 ``STGCN`` in the
paper's T/8 layout, 64/128/256 channels, queue 32768, temperature 0.07,
momentum 0.999) with RVTCLR's heads, as in its public code: a linear
appearance head and a linear motion (tempo) head on the pooled last level
(256 -> 128 each), and the body-part relation head of the
distribution-consistency branch (5 parts, MLP 256 -> 256 -> 128).
Ranking margin 1 on the ``/τ`` logits; all losses weighted 1. The model
expects the four views of ``RelativeTempoViews``.
"""
_base_ = ['./skeletonclr_stgcn.py']

model = dict(
    type='RVTCLR',
    global_head=dict(hidden_channels=None),
    motion_head=dict(
        type='GlobalProjectionHead', in_channels=256, out_channels=128),
    part_head=dict(
        type='BodyPartRelationHead',
        in_channels=256,
        hidden_channels=256,
        out_channels=128),
    margin=1.0,
    dense_positive='same_tempo')

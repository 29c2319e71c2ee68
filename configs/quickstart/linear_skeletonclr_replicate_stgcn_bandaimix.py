"""Quick start, Stage 2: ``linear_skeletonclr_replicate_stgcn_mocapmix.py``
on BandaiMix: ``linear_skeletonclr_stgcn_bandaimix.py`` with the backbone
padded as the replicate-padded encoder was trained.

    python tools/train.py configs/quickstart/linear_skeletonclr_replicate_stgcn_bandaimix.py
"""
_base_ = ['./linear_skeletonclr_stgcn_bandaimix.py']

model = dict(
    backbone=dict(temporal_padding='replicate'),
    pretrained='work_dirs/skeletonclr_replicate_stgcn_bandaimix/epoch_40.pth')

"""Quick start, Stage 2: ``linear_skeletonclr_replicate_stgcn_mocapmix`` with the
AimCLR encoder pretrained with replicate temporal padding
(``aimclr_replicate_stgcn_mocapmix``); the backbone pads as it was trained.

    python tools/train.py configs/quickstart/linear_aimclr_replicate_stgcn_mocapmix.py
"""
_base_ = ['./linear_skeletonclr_replicate_stgcn_mocapmix.py']

model = dict(
    pretrained='work_dirs/aimclr_replicate_stgcn_mocapmix/epoch_40.pth')

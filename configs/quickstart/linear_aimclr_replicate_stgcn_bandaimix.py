"""Quick start, Stage 2: ``linear_skeletonclr_replicate_stgcn_bandaimix`` with the
AimCLR encoder pretrained with replicate temporal padding
(``aimclr_replicate_stgcn_bandaimix``); the backbone pads as it was trained.

    python tools/train.py configs/quickstart/linear_aimclr_replicate_stgcn_bandaimix.py
"""
_base_ = ['./linear_skeletonclr_replicate_stgcn_bandaimix.py']

model = dict(
    pretrained='work_dirs/aimclr_replicate_stgcn_bandaimix/epoch_40.pth')

"""Quick start, Stage 2: ``linear_aimclr_stgcn_mocapmix.py`` on BandaiMix.

    python tools/train.py configs/quickstart/linear_aimclr_stgcn_bandaimix.py
"""
_base_ = ['./linear_skeletonclr_stgcn_bandaimix.py']

model = dict(pretrained='work_dirs/aimclr_stgcn_bandaimix/epoch_40.pth')

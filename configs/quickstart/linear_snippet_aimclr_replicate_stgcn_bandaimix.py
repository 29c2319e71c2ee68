"""Quick start, Stage 2: ``linear_snippet_aimclr_replicate_stgcn_mocapmix.py`` on BandaiMix.

    python tools/train.py configs/quickstart/linear_snippet_aimclr_replicate_stgcn_bandaimix.py
"""
_base_ = ['./linear_aimclr_replicate_stgcn_bandaimix.py']

model = dict(
    pretrained='work_dirs/snippet_aimclr_replicate_stgcn_bandaimix/'
    'epoch_40.pth')

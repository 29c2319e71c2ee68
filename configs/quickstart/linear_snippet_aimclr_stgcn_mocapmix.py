"""Quick start, Stage 2: ``linear_aimclr_stgcn_mocapmix`` with the AimCLR + snippets
encoder (``snippet_aimclr_stgcn_mocapmix``).

    python tools/train.py configs/quickstart/linear_snippet_aimclr_stgcn_mocapmix.py
"""
_base_ = ['./linear_aimclr_stgcn_mocapmix.py']

model = dict(pretrained='work_dirs/snippet_aimclr_stgcn_mocapmix/epoch_40.pth')

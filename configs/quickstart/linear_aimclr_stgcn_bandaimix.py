"""Quick start, Stage 2: ``linear_skeletonclr_stgcn_bandaimix`` with the AimCLR
encoder (``aimclr_stgcn_bandaimix``) instead of SkeletonCLR's; nothing else
changes. ``linear_snippet_aimclr_stgcn_bandaimix.py`` takes AimCLR + snippets,
and the ``*_replicate`` twins the replicate-padded encoders (issue 21).

    python tools/train.py configs/quickstart/linear_aimclr_stgcn_bandaimix.py
"""
_base_ = ['./linear_skeletonclr_stgcn_bandaimix.py']

model = dict(pretrained='work_dirs/aimclr_stgcn_bandaimix/epoch_40.pth')

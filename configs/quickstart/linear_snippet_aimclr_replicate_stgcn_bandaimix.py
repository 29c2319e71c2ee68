"""Quick start, Stage 2: ``linear_aimclr_replicate_stgcn_bandaimix`` with the encoder
of the snippet fix applied to AimCLR (``snippet_aimclr_replicate_stgcn_bandaimix``).

    python tools/train.py configs/quickstart/linear_snippet_aimclr_replicate_stgcn_bandaimix.py
"""
_base_ = ['./linear_aimclr_replicate_stgcn_bandaimix.py']

model = dict(
    pretrained='work_dirs/snippet_aimclr_replicate_stgcn_bandaimix/'
    'epoch_40.pth')

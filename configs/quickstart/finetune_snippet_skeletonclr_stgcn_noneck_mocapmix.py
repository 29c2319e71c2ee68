"""Quick start, Stage 2: ``finetune_skeletonclr_stgcn_noneck_mocapmix`` with the snippet-pretrained
encoder (ours) instead of SkeletonCLR's; nothing else changes.

    python tools/train.py configs/quickstart/finetune_snippet_skeletonclr_stgcn_noneck_mocapmix.py
"""
_base_ = ['./finetune_skeletonclr_stgcn_noneck_mocapmix.py']

model = dict(
    pretrained='work_dirs/snippet_skeletonclr_stgcn_mocapmix/epoch_40.pth')

"""Quick start, Stage 2: ``finetune_refine_skeletonclr_stgcn_bandaimix`` with
the snippet-pretrained encoder (ours) instead of SkeletonCLR's; nothing else
changes.

    python tools/train.py configs/quickstart/finetune_refine_snippet_skeletonclr_stgcn_bandaimix.py
"""
_base_ = ['./finetune_refine_skeletonclr_stgcn_bandaimix.py']

model = dict(
    pretrained='work_dirs/snippet_skeletonclr_stgcn_bandaimix/epoch_40.pth')

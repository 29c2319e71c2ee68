"""Quick start, Stage 2: ``finetune_refine_skeletonclr_stgcn_mocapmix`` (the
SkeletonCLR encoder finetuned with MS-TCN refinement stages on the frame
logits) on BandaiMix: 16 classes, the encoder of
``skeletonclr_stgcn_bandaimix.py``, validation on the cross-style val split
(``_base_/datasets/mocapmix_to_bandaimix.py``).

    python tools/train.py configs/quickstart/finetune_refine_skeletonclr_stgcn_bandaimix.py
"""
_base_ = [
    './finetune_refine_skeletonclr_stgcn_mocapmix.py',
    '../_base_/datasets/mocapmix_to_bandaimix.py',
]

model = dict(
    head=dict(num_classes=16),
    pretrained='work_dirs/skeletonclr_stgcn_bandaimix/epoch_40.pth')
train_dataloader = {{_base_.bandaimix_train}}
val_dataloader = {{_base_.bandaimix_eval}}
test_dataloader = {{_base_.bandaimix_eval}}
holdout_dataloader = {{_base_.bandaimix_eval}}

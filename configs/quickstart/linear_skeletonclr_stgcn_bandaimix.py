"""Quick start, Stage 2: linear evaluation of the SkeletonCLR encoder on BandaiMix.

``linear_skeletonclr_stgcn_mocapmix.py`` (frozen encoder; the U-neck and the
linear frame classifier train on full frame labels, 10 epochs) on BandaiMix:
16 classes, the encoder of ``skeletonclr_stgcn_bandaimix.py``, validation once
after the last epoch on the cross-style val split, whose styles neither
stage trains on (``_base_/datasets/mocapmix_to_bandaimix.py``).

    python tools/train.py configs/quickstart/linear_skeletonclr_stgcn_bandaimix.py \\
        --cfg-options model.pretrained=work_dirs/skeletonclr_stgcn_bandaimix/epoch_40.pth
"""
_base_ = [
    './linear_skeletonclr_stgcn_mocapmix.py',
    '../_base_/datasets/mocapmix_to_bandaimix.py',
]

model = dict(
    head=dict(num_classes=16),
    pretrained='work_dirs/skeletonclr_stgcn_bandaimix/epoch_40.pth')
train_dataloader = {{_base_.bandaimix_train}}
val_dataloader = {{_base_.bandaimix_eval}}
test_dataloader = {{_base_.bandaimix_eval}}
holdout_dataloader = {{_base_.bandaimix_eval}}

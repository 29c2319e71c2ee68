"""Quick start, Stage 2 floor on BandaiMix: linear evaluation of the raw pose (no encoder, nothing to learn before Stage 2).

``linear_scratch_rawpose_mocapmix.py`` on BandaiMix (16 classes, cross-style
val split, ``_base_/datasets/mocapmix_to_bandaimix.py``): the same U-neck
and linear classifier as ``linear_skeletonclr_stgcn_bandaimix.py``.

    python tools/train.py configs/quickstart/linear_scratch_rawpose_bandaimix.py --seed 0
"""
_base_ = [
    './linear_scratch_rawpose_mocapmix.py',
    '../_base_/datasets/mocapmix_to_bandaimix.py',
]

model = dict(head=dict(num_classes=16))
train_dataloader = {{_base_.bandaimix_train}}
val_dataloader = {{_base_.bandaimix_eval}}
test_dataloader = {{_base_.bandaimix_eval}}
holdout_dataloader = {{_base_.bandaimix_eval}}

"""Quick start, Stage 2 floor on BandaiMix: linear evaluation of the random-init quick-start ST-GCN, frozen (seeded by --seed).

``linear_scratch_stgcn_mocapmix.py`` on BandaiMix (16 classes, cross-style
val split, ``_base_/datasets/mocapmix_to_bandaimix.py``): the same U-neck
and linear classifier as ``linear_skeletonclr_stgcn_bandaimix.py``.

    python tools/train.py configs/quickstart/linear_scratch_stgcn_bandaimix.py --seed 0
"""
_base_ = [
    './linear_scratch_stgcn_mocapmix.py',
    '../_base_/datasets/mocapmix_to_bandaimix.py',
]

model = dict(head=dict(num_classes=16))
train_dataloader = {{_base_.bandaimix_train}}
val_dataloader = {{_base_.bandaimix_eval}}
test_dataloader = {{_base_.bandaimix_eval}}

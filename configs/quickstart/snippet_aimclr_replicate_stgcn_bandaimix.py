"""Quick start: ``snippet_aimclr_replicate_stgcn_mocapmix.py`` on BandaiMix.

The same recipe, epochs and schedule, with KNN localization (k = 20) on
BandaiMix's cross-style val split (see
``_base_/datasets/mocapmix_to_bandaimix.py``).

    python tools/train.py configs/quickstart/snippet_aimclr_replicate_stgcn_bandaimix.py
"""
_base_ = [
    './snippet_aimclr_replicate_stgcn_mocapmix.py',
    '../_base_/datasets/mocapmix_to_bandaimix.py',
]

train_dataloader = {{_base_.bandaimix_train}}
val_dataloader = {{_base_.bandaimix_eval}}
test_dataloader = {{_base_.bandaimix_eval}}
val_cfg = {{_base_.bandaimix_knn}}
test_cfg = {{_base_.bandaimix_knn}}

"""Quick start: RVTCLR, small ST-GCN, pretrained on BandaiMix.

``rvtclr_stgcn_mocapmix.py``
(the same recipe, epochs and schedule) on BandaiMix, with KNN
localization (k = 20) on its cross-style val split (see
``_base_/datasets/mocapmix_to_bandaimix.py``).

    python tools/train.py configs/quickstart/rvtclr_stgcn_bandaimix.py
"""
_base_ = [
    './rvtclr_stgcn_mocapmix.py',
    '../_base_/datasets/mocapmix_to_bandaimix.py',
]

train_dataloader = {{_base_.bandaimix_train}}
val_dataloader = {{_base_.bandaimix_eval}}
test_dataloader = {{_base_.bandaimix_eval}}
val_cfg = {{_base_.bandaimix_knn}}
test_cfg = {{_base_.bandaimix_knn}}

"""Quick start: SkeletonCLR + snippets (ours), small ST-GCN, on BandaiMix.

``snippet_skeletonclr_stgcn_mocapmix.py``
(the same recipe, epochs and schedule) on BandaiMix, with KNN
localization (k = 20) on its cross-style val split (see
``_base_/datasets/mocapmix_to_bandaimix.py``).

Snippet arithmetic as there: 128-frame views, 16 steps at T/8, 8 snippets of
16 frames (Tab. 8).

    python tools/train.py configs/quickstart/snippet_skeletonclr_stgcn_bandaimix.py
"""
_base_ = [
    './snippet_skeletonclr_stgcn_mocapmix.py',
    '../_base_/datasets/mocapmix_to_bandaimix.py',
]

train_dataloader = {{_base_.bandaimix_train}}
val_dataloader = {{_base_.bandaimix_eval}}
test_dataloader = {{_base_.bandaimix_eval}}
val_cfg = {{_base_.bandaimix_knn}}
test_cfg = {{_base_.bandaimix_knn}}

"""KNN localization of the raw-pose floor on BandaiMix (no checkpoint).

``rawpose_mocapmix.py`` with the data switched to BandaiMix's cross-style
val split and its train memory (``_base_/datasets/mocapmix_to_bandaimix.py``),
as the BandaiMix quick starts are.

    python tools/test.py configs/knn/rawpose_bandaimix.py
"""
_base_ = [
    './rawpose_mocapmix.py',
    '../_base_/datasets/mocapmix_to_bandaimix.py',
]

val_dataloader = {{_base_.bandaimix_eval}}
test_dataloader = {{_base_.bandaimix_eval}}
val_cfg = {{_base_.bandaimix_knn}}
test_cfg = {{_base_.bandaimix_knn}}

"""KNN localization of the raw-pose floor on MocapMix (no checkpoint).

What an encoder must beat: the normalised joints and 3 x their velocities
(``RawPoseEncoder``) classified frame by frame by the weighted vote of the
k = 20 nearest labelled training frames, as the quick-start encoders are.
Another dataset's floor swaps the dataset base only.

    python tools/test.py configs/knn/rawpose_mocapmix.py
"""
_base_ = [
    '../_base_/models/rawpose.py',
    '../_base_/datasets/mocapmix_knn.py',
    '../_base_/default_runtime.py',
]

train_dataloader = None  # nothing to train
# the frame-rate level; the pooled ones are for fused settings (test_cfg.level)
val_cfg = dict(level=0)
test_cfg = dict(level=0)

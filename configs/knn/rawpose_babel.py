"""KNN localization of the raw-pose floor on BABEL (no checkpoint).

The floor of paper Tab. 2: the normalised joints and 3 x their velocities
(``RawPoseEncoder``), k = 20 nearest labelled ``train`` frames of a subset
per ``val`` frame, as ``configs/knn/knn_*_2sagcn_babel.py`` evaluate the
pretrained encoders. Subset-1 unless ``subset`` names another.

    python tools/test.py configs/knn/rawpose_babel.py [--cfg-options subset=subset2]
"""
_base_ = [
    '../_base_/models/rawpose.py',
    '../_base_/datasets/babel_knn.py',
    '../_base_/default_runtime.py',
]

train_dataloader = None  # nothing to train
# the frame-rate level; the pooled ones are for fused settings (test_cfg.level)
val_cfg = dict(level=0)
test_cfg = dict(level=0)

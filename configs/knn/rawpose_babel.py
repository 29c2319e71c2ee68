"""KNN localization of the raw-pose floor on BABEL Subset-1 (no checkpoint).

The floor of paper Tab. 2: the normalised joints and 3 x their velocities
(``RawPoseEncoder``), k = 20 nearest labelled Subset-1 ``train`` frames per
``val`` frame, as ``configs/knn/knn_*_babel-subset1.py`` evaluate the
pretrained encoders. Data: ``tools/data/prepare_babel.py``.

    python tools/test.py configs/knn/rawpose_babel.py
    python tools/test.py configs/knn/rawpose_babel.py --cfg-options \\
        test_dataloader.dataset.ann_file=data/babel/babel_subset2.pkl \\
        test_cfg.memory_dataloader.dataset.ann_file=data/babel/babel_subset2.pkl
"""
_base_ = [
    '../_base_/models/rawpose.py',
    '../_base_/datasets/babel_knn.py',
    '../_base_/default_runtime.py',
]

train_dataloader = None  # nothing to train

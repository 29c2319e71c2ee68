"""BABEL with AimCLR's three views for pretraining; KNN localization as in
``babel_knn.py``.

Pretraining windows become (query, key, extreme) views
(``aimclr_views.py``), batched ``(N, 3, M, T, V, C)``; the KNN memory and
validation sets are unchanged.
"""
_base_ = ['./babel_knn.py', './aimclr_views.py']

aimclr_pretrain_pipeline = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='RandomWindowCrop', clip_len={{_base_.clip_len}}),
    dict(type='FixPersonCount', num_person={{_base_.num_person}}),
    {{_base_.aimclr_three_views}},
    {{_base_.aimclr_extreme_view}},
    dict(type='PackUntrimmedPoseInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=aimclr_pretrain_pipeline))

"""MocapMix for self-supervised pretraining and KNN localization.

Pretraining draws random windows of every training sequence without labels
(``label_mode='none'``), each turned into two views by AimCLR's normal
augmentation (temporal pad-crop + shear). KNN evaluation keeps the
frame-labelled training sequences as the memory and localizes the whole
validation sequences (``val_dataloader`` of ``mocapmix.py``), smoothing the
frame scores over a window chosen on held-out training sequences; the
metrics report the paper's unsmoothed protocol beside it
(``tal_unsmoothed/``).
"""
_base_ = ['./mocapmix.py']

view_pipeline = [
    dict(type='TemporalPadCrop', padding_ratio=6),
    dict(type='RandomShear', amplitude=0.5),
]
pretrain_pipeline = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='RandomWindowCrop', clip_len={{_base_.clip_len}}),
    dict(type='FixPersonCount', num_person={{_base_.num_person}}),
    dict(type='ContrastiveViews', pipeline=view_pipeline, num_views=2),
    dict(type='PackUntrimmedPoseInputs'),
]
train_dataloader = dict(
    drop_last=True,
    dataset=dict(label_mode='none', pipeline=pretrain_pipeline))

knn_memory_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type={{_base_.dataset_type}},
        ann_file={{_base_.ann_file}},
        split='train',
        label_mode='frame',
        test_mode=True,
        pipeline={{_base_.test_pipeline}}))
val_cfg = dict(
    type='KNNLocalizationLoop',
    memory_dataloader=knn_memory_dataloader,
    k=20,
    level=-1,
    smoothing=dict(
        candidates_s={{_base_.smoothing_candidates_s}},
        holdout_fraction={{_base_.holdout_fraction}},
        holdout_seed={{_base_.holdout_seed}}))
test_cfg = val_cfg

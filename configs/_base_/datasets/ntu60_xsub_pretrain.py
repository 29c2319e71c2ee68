"""NTU RGB+D 60 cross-subject pretraining, KNN localization on PKU-MMD.

The NTU-60 pretraining of Tab. 5: the ``train`` split of
``data/ntu/ntu60_xsub_pretrain.pkl`` (``tools/data/prepare_ntu.py``, see
``docs/datasets.md``), unlabelled (``label_mode='none'``), trimmed clips of
at most 300 frames (shorter clips are zero-padded to 300 and the padding
masked), two bodies. Views: AimCLR's normal augmentation (temporal pad-crop
+ shear), as for SkeletonCLR on BABEL. Because NTU-60 has no localization
labels, validation is KNN localization on PKU-MMD cross-subject (memory =
its train split, queries = its val split, ``'pkummd'`` protocol), the
transfer target.
"""
dataset_type = 'UntrimmedPoseDataset'
ann_file = 'data/ntu/ntu60_xsub_pretrain.pkl'
knn_ann_file = 'data/pkummd/pkummd_xsub.pkl'
clip_len = 300
num_person = 2
temporal_stride = 8

view_pipeline = [
    dict(type='TemporalPadCrop', padding_ratio=6),
    dict(type='RandomShear', amplitude=0.5),
]
pretrain_pipeline = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='RandomWindowCrop', clip_len=clip_len),
    dict(type='FixPersonCount', num_person=num_person),
    dict(type='ContrastiveViews', pipeline=view_pipeline, num_views=2),
    dict(type='PackUntrimmedPoseInputs'),
]
test_pipeline = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='PadFrames', multiple_of=temporal_stride),
    dict(type='FixPersonCount', num_person=num_person),
    dict(type='PackUntrimmedPoseInputs'),
]

train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        split='train',
        label_mode='none',
        pipeline=pretrain_pipeline))
knn_memory_dataloader = dict(
    batch_size=1,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=knn_ann_file,
        split='train',
        label_mode='frame',
        test_mode=True,
        pipeline=test_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=knn_ann_file,
        split='val',
        label_mode='frame',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_cfg = dict(
    type='KNNLocalizationLoop',
    memory_dataloader=knn_memory_dataloader,
    k=20,
    level=-1)
test_cfg = val_cfg
val_evaluator = dict(
    type='TemporalLocalizationMetric',
    protocol='pkummd',
    tiou_thresholds=(0.1, 0.2, 0.3, 0.4, 0.5))
test_evaluator = val_evaluator

"""BABEL: pretraining on every training sequence, KNN localization on a subset.

Paper setting (Sec. 4): pretrain on the official BABEL train split without
labels; evaluate on one of the three 4-class subsets of the validation split
(Subset-1 walk/stand/turn/jump, Subset-2 sit/run/stand up/kick, Subset-3
jog/wave/dance/gesture) with background for all other frames. Sequences are
25 NTU joints at 30 fps, one person, 300-frame inputs.

The annotation files come from ``tools/data/prepare_babel.py`` (see
``docs/datasets.md``): ``babel_pretrain.pkl`` holds every train sequence
(``label_mode='none'``), ``babel_subset1.pkl`` .. ``babel_subset3.pkl`` the
subsets with their ``train``/``val`` splits. ``subset`` picks the evaluation
subset: the KNN memory and the validation/test sequences read the
``ann_file`` template ``babel_{subset}.pkl``, which the tools fill after
``--cfg-options subset=subset2`` (``snippet_plugin.utils.subset``).
"""
dataset_type = 'UntrimmedPoseDataset'
data_root = 'data/babel/'
subset = 'subset1'
pretrain_ann_file = data_root + 'babel_pretrain.pkl'
subset_ann_file = data_root + 'babel_{subset}.pkl'
clip_len = 300
num_person = 1
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
        ann_file=pretrain_ann_file,
        label_mode='none',
        pipeline=pretrain_pipeline))
knn_memory_dataloader = dict(
    batch_size=1,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=subset_ann_file,
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
        ann_file=subset_ann_file,
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
val_evaluator = dict(type='TemporalLocalizationMetric')
test_evaluator = val_evaluator

"""PKU-MMD phase 1, cross-subject, localization (Stage 2, transfer, Tab. 5).

The file comes from ``tools/data/prepare_pkummd.py --split-file
.../cross-subject.txt --out data/pkummd/pkummd_xsub.pkl``
(``docs/datasets.md``): 51 action classes (background 51), two bodies
``(2, T, 25, 3)`` at 30 fps, ``train``/``val`` splits of the official
cross-subject protocol. For cross-view use ``pkummd_xview.pkl`` as
``ann_file`` in the three dataloaders.

Model selection never sees the test split: a seeded, class-stratified 10 %
of the ``train`` videos (``part='holdout'``; rule in ``select_holdout``)
is the validation set, the other 90 % (``part='fit'``) train, and the
official ``val`` videos are the test set only (``test_dataloader``). Another
holdout: set ``holdout_fraction`` / ``holdout_seed`` of the train AND val
dataloaders' datasets alike (``--cfg-options``), or the parts overlap.

Training crops random 300-frame windows (batch 8); validation and test see
each whole video once, padded to a multiple of the backbone's stride 8.
Metric: the official PKU-MMD evaluator (``protocol='pkummd'``: overlap over
the hull of the two intervals on PKU-MMD's own inclusive frame numbers, as
the file's ``meta['label_end']`` says, and its interpolated AP); the paper
reports ``mAP@0.5``, the other thresholds are logged for reference.
"""
dataset_type = 'UntrimmedPoseDataset'
data_root = 'data/pkummd/'
ann_file = data_root + 'pkummd_xsub.pkl'
clip_len = 300
num_person = 2
temporal_stride = 8
holdout_fraction = 0.1
holdout_seed = 0

train_pipeline = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='RandomWindowCrop', clip_len=clip_len),
    dict(type='FixPersonCount', num_person=num_person),
    dict(type='PackUntrimmedPoseInputs'),
]
test_pipeline = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='PadFrames', multiple_of=temporal_stride),
    dict(type='FixPersonCount', num_person=num_person),
    dict(type='PackUntrimmedPoseInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        split='train',
        part='fit',
        holdout_fraction=holdout_fraction,
        holdout_seed=holdout_seed,
        label_mode='frame',
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        split='val',
        label_mode='frame',
        test_mode=True,
        pipeline=test_pipeline))
# The test set's loader on the held-out part of train: checkpoint selection.
val_dataloader = dict(test_dataloader, dataset=dict(
    test_dataloader['dataset'], split='train', part='holdout',
    holdout_fraction=holdout_fraction, holdout_seed=holdout_seed))

val_evaluator = dict(
    type='TemporalLocalizationMetric',
    protocol='pkummd',
    tiou_thresholds=(0.1, 0.2, 0.3, 0.4, 0.5))
test_evaluator = val_evaluator

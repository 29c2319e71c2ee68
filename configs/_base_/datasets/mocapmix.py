"""MocapMix: the bundled untrimmed real-motion dataset (DeepMimic clips).

Prepare it once with ``python tools/data/prepare_mocapmix.py`` (``make demo``
does). Training crops random ``clip_len`` windows; validation and test see
each whole sequence once, padded to a multiple of the backbone's temporal
stride (the padding is masked out), so every frame gets exactly one
prediction. For sequences too long for memory, use the dataset's
``window=dict(clip_len, stride)`` with ``WindowCrop`` instead; the model then
merges the windows of a sequence before evaluation.

No checkpoint selection: the quick starts keep the last epoch
(``save_best=None``) and validate once, after it, so that validation is
their test report and the test split selects nothing. A config that keeps
a best checkpoint must validate on a held-out part of ``train`` instead
(``part='holdout'``, as ``babel_localization.py`` does).

Temporal smoothing of the frame scores (the quick starts' post-processing,
``docs/protocols.md``): the window is chosen among
``smoothing_candidates_s`` on a held-out part of ``train``, never on
``val``. The KNN loop holds out ``holdout_fraction`` of its memory
sequences itself; a Stage-2 quick start trains on ``part='fit'`` and its
``SmoothingWindowHook`` reads ``holdout_dataloader`` (the same fraction and
seed, ``part='holdout'``).
"""
dataset_type = 'UntrimmedPoseDataset'
ann_file = 'data/mocapmix/mocapmix.pkl'
clip_len = 300
num_person = 1
temporal_stride = 8
holdout_fraction = 0.2
holdout_seed = 0
smoothing_candidates_s = [0, 0.25, 0.5, 1, 2, 3]

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
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        split='train',
        label_mode='frame',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        split='val',
        label_mode='frame',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
holdout_dataloader = dict(val_dataloader, dataset=dict(
    val_dataloader['dataset'], split='train', part='holdout',
    holdout_fraction=holdout_fraction, holdout_seed=holdout_seed))

val_evaluator = dict(type='TemporalLocalizationMetric')
test_evaluator = val_evaluator

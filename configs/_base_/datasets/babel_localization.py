"""BABEL localization (Stage 2) on one of the three 4-class subsets.

Paper setting (Sec. 4): finetune on the ``train`` split of a subset of the
BABEL validation sequences and evaluate on its ``val`` split (Subset-1 walk,
stand, turn, jump; Subset-2 sit, run, stand up, kick; Subset-3 jog, wave,
dance, gesture; background elsewhere). Files from
``tools/data/prepare_babel.py`` (``docs/datasets.md``):
``data/babel/babel_subset1.pkl`` .. ``babel_subset3.pkl``. ``subset`` picks
the file: every dataloader reads the ``ann_file`` template
``babel_{subset}.pkl``, which the tools fill after
``--cfg-options subset=subset2`` (``snippet_plugin.utils.subset``).

Model selection never sees the test split: a seeded, class-stratified 10 %
of the ``train`` sequences (``part='holdout'``, ``holdout_fraction``,
``holdout_seed``; rule in ``select_holdout``) is the validation set, the
other 90 % (``part='fit'``) train, and ``val`` is the test set only
(``test_dataloader``). The paper does not say how it picked its epoch;
training here fits on 90 % of ``train``. Another
holdout: set ``holdout_fraction`` / ``holdout_seed`` of the train AND val
dataloaders' datasets alike (``--cfg-options``), or the parts overlap.

Training crops random 300-frame windows (batch 8, the public code's);
validation and test see each whole sequence once, padded to a multiple of
the backbone's stride 8 (padding is masked out of losses and metrics).
Metric: mAP at tIoU 0.1-0.5 and their average (``'voc'`` protocol,
half-open frame intervals), plus frame accuracy, edit and F1@{10,25,50}.
"""
dataset_type = 'UntrimmedPoseDataset'
data_root = 'data/babel/'
subset = 'subset1'
ann_file = data_root + 'babel_{subset}.pkl'
clip_len = 300
num_person = 1
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

val_evaluator = dict(type='TemporalLocalizationMetric', protocol='voc')
test_evaluator = val_evaluator

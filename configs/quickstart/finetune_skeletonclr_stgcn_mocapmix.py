"""Quick start, Stage 2: finetune the SkeletonCLR quick-start encoder on
MocapMix frame labels (everything trains), U-neck + linear classifier.

The MocapMix twin of the paper's finetuning protocol (``docs/protocols.md``),
shrunk to about a minute on a 2-core CPU: the quick-start ST-GCN (16 base
channels; levels after stages 1, 7, 10: 16/32/64 channels at T, T/4, T/8),
a U-neck of width 64, 128-frame training windows, batch 8, Adam lr 1e-3
(1e-4 is the paper scale's, for 40 long epochs), 10 epochs of 4 passes over
the training sequences outside the 20 % holdout. After the last epoch
``SmoothingWindowHook`` chooses the smoothing window on that holdout (the
checkpoint keeps it); validation on the 16 whole validation sequences prints
mAP@0.1-0.5, frame accuracy, edit and F1@{10,25,50} with smoothing
(``tal/``) and under the paper's post-processing (``tal_unsmoothed/``).

The encoder comes from the quick-start pretraining
(``configs/quickstart/skeletonclr_stgcn_mocapmix.py``); point ``pretrained``
elsewhere with ``--cfg-options``::

    python tools/train.py configs/quickstart/finetune_skeletonclr_stgcn_mocapmix.py
    python tools/train.py configs/quickstart/finetune_skeletonclr_stgcn_mocapmix.py \\
        --cfg-options model.pretrained=work_dirs/seeds/skeletonclr_stgcn_mocapmix_seed0/epoch_40.pth
"""
_base_ = [
    '../_base_/models/localizer_2sagcn.py',
    '../_base_/datasets/mocapmix.py',
    '../_base_/schedules/adam_finetune_40e.py',
    '../_base_/default_runtime.py',
]

clip_len = 128
model = dict(
    backbone=dict(
        backbone=dict(
            _delete_=True,
            type='STGCN',
            graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
            in_channels=3,
            base_channels=16,
            down_stages=[2, 5, 8],
            inflate_stages=[5, 8])),
    neck=dict(hidden_channels=64, out_channels=64),
    head=dict(num_classes=14),
    pretrained='work_dirs/skeletonclr_stgcn_mocapmix/epoch_40.pth')

train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        _delete_=True,
        type='RepeatDataset',
        times=4,
        dataset=dict(
            type='UntrimmedPoseDataset',
            ann_file='data/mocapmix/mocapmix.pkl',
            split='train',
            part='fit',
            holdout_fraction={{_base_.holdout_fraction}},
            holdout_seed={{_base_.holdout_seed}},
            label_mode='frame',
            pipeline=[
                dict(type='NormalizeSkeleton3D'),
                dict(type='RandomWindowCrop', clip_len=clip_len),
                dict(type='FixPersonCount', num_person=1),
                dict(type='PackUntrimmedPoseInputs'),
            ])))

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(
    logger=dict(interval=6),
    checkpoint=dict(interval=max_epochs, save_best=None))
custom_hooks = _base_.custom_hooks + [
    dict(type='SmoothingWindowHook',
         candidates_s={{_base_.smoothing_candidates_s}})
]
val_evaluator = [
    dict(type='TemporalLocalizationMetric'),
    dict(type='TemporalLocalizationMetric', unsmoothed=True,
         prefix='tal_unsmoothed'),
]
test_evaluator = val_evaluator

"""Quick start: SkeletonCLR with a small ST-GCN, pretrained on MocapMix.

The ``make demo`` baseline, the paper's recipe shrunk to minutes on a 2-core
CPU: ST-GCN with 16 base channels (16/32/64 per level, T/8 layout),
128-frame windows, batch 16, 512 negatives, a 32-d embedding, momentum
0.99, 40 epochs of SGD lr 0.05 with cosine decay; KNN localization (k = 20,
last level) after training. Results: ``configs/quickstart/README.md``.

    python tools/train.py configs/quickstart/skeletonclr_stgcn_mocapmix.py
    python tools/test.py configs/quickstart/skeletonclr_stgcn_mocapmix.py \\
        work_dirs/skeletonclr_stgcn_mocapmix/epoch_40.pth
"""
_base_ = [
    '../_base_/models/skeletonclr_stgcn.py',
    '../_base_/datasets/mocapmix_knn.py',
    '../_base_/default_runtime.py',
]

clip_len = 128
model = dict(
    backbone=dict(backbone=dict(base_channels=16)),
    global_head=dict(in_channels=64, hidden_channels=64, out_channels=32),
    queue_size=512,
    feat_dim=32,
    momentum=0.99)

train_dataloader = dict(
    batch_size=16,
    dataset=dict(
        _delete_=True,
        type='RepeatDataset',
        times=4,
        dataset=dict(
            type='UntrimmedPoseDataset',
            ann_file='data/mocapmix/mocapmix.pkl',
            split='train',
            label_mode='none',
            pipeline=[
                dict(type='NormalizeSkeleton3D'),
                dict(type='RandomWindowCrop', clip_len=clip_len),
                dict(type='FixPersonCount', num_person=1),
                dict(
                    type='ContrastiveViews',
                    num_views=2,
                    pipeline=[
                        dict(type='TemporalPadCrop', padding_ratio=6),
                        dict(type='RandomShear', amplitude=0.5),
                    ]),
                dict(type='PackUntrimmedPoseInputs'),
            ])))

max_epochs = 40
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True,
         begin=0, end=max_epochs)
]
default_hooks = dict(
    logger=dict(interval=4),
    checkpoint=dict(interval=max_epochs, save_best=None))

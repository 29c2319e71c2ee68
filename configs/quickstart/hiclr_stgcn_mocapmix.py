"""Quick start: HiCLR with a small ST-GCN, pretrained on MocapMix.

``skeletonclr_stgcn_mocapmix.py`` turned into HiCLR: four views with
gradually growing augmentations (two normal, two strong; the model masks
10 % of view 3's joints per frame) and the hierarchical matching loss. A
step costs about 2.5 SkeletonCLR steps (three query passes instead of one),
so it trains 16 epochs, about the SkeletonCLR quick start's compute.
Nearest-neighbour mining (top-1) over the second half of training, from
epoch 8, as HiCLR mines from epoch 150 of 300.
Results: ``configs/quickstart/README.md``.

    python tools/train.py configs/quickstart/hiclr_stgcn_mocapmix.py
"""
_base_ = ['./skeletonclr_stgcn_mocapmix.py']

model = dict(
    type='HiCLR',
    mask_ratio=0.1,
    in_channels=3,
    hierarchical_weights=[0.5, 0.5],
    divergence='kl',
    neighbour_topk=1)

normal_augmentation = [
    dict(type='TemporalPadCrop', padding_ratio=6),
    dict(type='RandomShear', amplitude=0.5),
]
strong_augmentation = normal_augmentation + [
    dict(type='SkeletonFlip', prob=0.5),
    dict(type='RandomAxisRotation', max_angle=30, prob=1.0),
    dict(type='GaussianJitter', std=0.01, prob=0.5),
    dict(type='TemporalGaussianBlur', kernel_size=15, sigma=(0.1, 2.0),
         prob=0.5),
    dict(type='RandomAxisMask', prob=0.5),
]
train_dataloader = dict(
    dataset=dict(
        dataset=dict(pipeline=[
            dict(type='NormalizeSkeleton3D'),
            dict(type='RandomWindowCrop', clip_len={{_base_.clip_len}}),
            dict(type='FixPersonCount', num_person=1),
            dict(
                type='ContrastiveViews',
                pipelines=[
                    normal_augmentation, normal_augmentation,
                    strong_augmentation, strong_augmentation
                ]),
            dict(type='PackUntrimmedPoseInputs'),
        ])))

max_epochs = 16
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True,
         begin=0, end=max_epochs)
]
default_hooks = dict(checkpoint=dict(interval=max_epochs))
mining_start_epoch = 8
custom_hooks = _base_.custom_hooks + [
    dict(type='NeighbourMiningHook', start_epoch=mining_start_epoch),
]

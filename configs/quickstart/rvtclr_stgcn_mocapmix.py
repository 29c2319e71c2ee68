"""Quick start: RVTCLR with a small ST-GCN, pretrained on MocapMix.

``skeletonclr_stgcn_mocapmix.py``'s size with RVTCLR's heads and views:
256-frame windows, each turned into four 128-frame tempo views
(``RelativeTempoViews``: query and key at normal speed or 2x, the key at
the other tempo, a strongly augmented part view). Four views cost about
twice a SkeletonCLR step, so it trains 20 epochs. No nearest-neighbour
mining (the BABEL configs mine from epoch 150).

    python tools/train.py configs/quickstart/rvtclr_stgcn_mocapmix.py
"""
_base_ = ['./skeletonclr_stgcn_mocapmix.py']

window_len = 256
model = dict(
    type='RVTCLR',
    global_head=dict(hidden_channels=None),
    motion_head=dict(
        type='GlobalProjectionHead', in_channels=64, out_channels=32),
    part_head=dict(
        type='BodyPartRelationHead',
        in_channels=64,
        hidden_channels=64,
        out_channels=32),
    margin=1.0,
    dense_positive='same_tempo')

normal_augmentation = [
    dict(type='TemporalPadCrop', padding_ratio=6),
    dict(type='RandomShear', amplitude=0.5),
]
train_dataloader = dict(
    dataset=dict(
        dataset=dict(pipeline=[
            dict(type='NormalizeSkeleton3D'),
            dict(type='RandomWindowCrop', clip_len=window_len),
            dict(type='FixPersonCount', num_person=1),
            dict(
                type='RelativeTempoViews',
                query_pipeline=normal_augmentation,
                key_pipeline=normal_augmentation,
                part_pipeline=normal_augmentation + [
                    dict(type='GaussianJitter', std=0.01, prob=0.5),
                    dict(type='TemporalGaussianBlur', kernel_size=15,
                         sigma=(0.1, 2.0), prob=0.5),
                    dict(type='RandomAxisMask', prob=0.5),
                ]),
            dict(type='PackUntrimmedPoseInputs'),
        ])))

max_epochs = 20
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True,
         begin=0, end=max_epochs)
]
default_hooks = dict(checkpoint=dict(interval=max_epochs))

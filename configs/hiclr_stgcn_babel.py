"""HiCLR with ST-GCN, pretrained on BABEL without labels, validated by KNN
localization.

HiCLR's gradually growing augmentations: views 0, 1 temporal pad-crop +
shear; views 2, 3 add flip, rotation about one random axis (0-30°), Gaussian
jitter, temporal blur and axis mask; the model masks joints of view 3.
Nearest-neighbour mining (top-1) from epoch 150 (0-based), as HiCLR's
public config (``mining_epoch: 150``, ``topk: 1``). No
paper table: the paper runs HiCLR with 2s-AGCN only (Tab. 2, 3); its
backbone study (Tab. 5, S1, S2) uses RVTCLR.

    python tools/train.py configs/hiclr_stgcn_babel.py
    python tools/test.py configs/hiclr_stgcn_babel.py \\
        work_dirs/hiclr_stgcn_babel/epoch_300.pth
"""
_base_ = [
    './_base_/models/hiclr_stgcn.py',
    './_base_/datasets/babel_knn.py',
    './_base_/schedules/sgd_pretrain_300e.py',
    './_base_/default_runtime.py',
]

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
    dataset=dict(pipeline=[
        dict(type='NormalizeSkeleton3D'),
        dict(type='RandomWindowCrop', clip_len={{_base_.clip_len}}),
        dict(type='FixPersonCount', num_person={{_base_.num_person}}),
        dict(
            type='ContrastiveViews',
            pipelines=[
                normal_augmentation, normal_augmentation,
                strong_augmentation, strong_augmentation
            ]),
        dict(type='PackUntrimmedPoseInputs'),
    ]))

mining_start_epoch = 150
custom_hooks = _base_.custom_hooks + [
    dict(type='NeighbourMiningHook', start_epoch=mining_start_epoch),
]

"""Quick start: HiCLR with a small ST-GCN, pretrained on MocapMix.

The SkeletonCLR quick start (``skeletonclr_stgcn_mocapmix.py``: ST-GCN with
16 base channels, 128-frame windows, batch 16, 512 negatives, a 32-d
embedding, SGD lr 0.05 with cosine decay, KNN localization with k = 20)
turned into HiCLR: four views with gradually growing augmentations (two
normal, two strong; the model masks 10 % of view 3's joints per frame) and
the hierarchical matching loss. Each step costs about twice a SkeletonCLR
step (three query passes instead of one).

    python tools/train.py configs/quickstart/hiclr_stgcn_mocapmix.py
"""
_base_ = ['./skeletonclr_stgcn_mocapmix.py']

model = dict(
    type='HiCLR',
    mask_ratio=0.1,
    in_channels=3,
    hierarchical_weights=[0.5, 0.5],
    divergence='kl')

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

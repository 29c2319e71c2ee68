"""HiCLR + ST-GCN pretrained on BABEL, evaluated by KNN localization.

A baseline of Tab. 2 (KNN evaluation, mAP@tIoU 0.1-0.5 on BABEL Subset-1;
Subsets 1-3: ``configs/knn/``) with HiCLR's gradually growing
augmentations: four views, each pipeline the previous one's plus stronger
transforms (HiCLR's basic set, then its normal set, then the joint mask
that the model applies to view 3):

* views 0, 1: temporal pad-crop + shear (view 0 the query, 1 the key);
* views 2, 3: the same, then flip (p 0.5), rotation about one random axis
  (0-30°, always, as the public code), Gaussian jitter (std 0.01, p 0.5),
  temporal Gaussian blur (kernel 15, sigma 0.1-2, p 0.5), axis mask (p 0.5).

Batch 128, 300-frame inputs, SGD lr 0.1, 300 epochs. Prepare the data with
``tools/data/prepare_babel.py`` (``docs/datasets.md``).

    python tools/train.py configs/hiclr_stgcn_babel.py
    python tools/test.py configs/hiclr_stgcn_babel.py CHECKPOINT
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

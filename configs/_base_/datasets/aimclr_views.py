"""AimCLR's three views of one training window (shared by every AimCLR
config).

Views 0 and 1 (query and key) get the normal augmentation, temporal
pad-crop + shear (0.5); view 2 gets the same and then the extreme
augmentations of AimCLR's code, in its order: spatial flip (p 0.5), rotation
about one random axis by U(0, 30) degrees, Gaussian noise (std 0.01, p 0.5),
temporal Gaussian blur (kernel 15, sigma U(0.1, 2), p 0.5), axis mask
(p 0.5). Put ``aimclr_three_views`` then ``aimclr_extreme_view`` where a
two-view pipeline has ``ContrastiveViews``.
"""
aimclr_normal_augmentation = [
    dict(type='TemporalPadCrop', padding_ratio=6),
    dict(type='RandomShear', amplitude=0.5),
]
aimclr_extreme_augmentation = [
    dict(type='SkeletonFlip', prob=0.5),
    dict(type='RandomAxisRotation', max_angle=30, prob=1.0),
    dict(type='GaussianJitter', std=0.01, prob=0.5),
    dict(type='TemporalGaussianBlur', kernel_size=15, sigma=(0.1, 2.0),
         prob=0.5),
    dict(type='RandomAxisMask', prob=0.5),
]
aimclr_three_views = dict(
    type='ContrastiveViews', num_views=3, pipeline=aimclr_normal_augmentation)
aimclr_extreme_view = dict(
    type='AugmentView', index=2, pipeline=aimclr_extreme_augmentation)

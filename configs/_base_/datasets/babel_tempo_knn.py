"""BABEL with RVTCLR's relative-tempo views for pretraining; KNN as before.

``babel_knn.py`` with another pretraining pipeline: each 600-frame window
becomes four 300-frame views (``RelativeTempoViews``): the query and the
key at the sample's tempo (normal speed: the first 300 frames; 2x: every
2nd frame of the 600), the same augmented key at the other tempo, and the
part view at the sample's tempo. The window is twice ``clip_len`` so that
the encoder sees ``clip_len`` = 300-frame inputs, as with the other methods
(the paper fixes the input at 300 frames, Tab. 8): 38 steps at the
backbone's stride 8, so the snippet configs' 19 snippets are 300 / 19 ≈ 16
view frames each (Tab. 8's best), and Tab. 8's N = 38 is one step each.
The price: BABEL sequences average about 360 frames, so a 2x view is more
often partly padding than with a 300-frame window. Query and key get
AimCLR's normal augmentation (temporal pad-crop + shear); the part view adds RVTCLR's
skeleton-specific augmentation (Gaussian noise, Gaussian blur, axis mask,
as its public code's ``aug_method='345'``), which the RVTCLR paper assigns to
its distribution-consistency branch. (The public code gives the strong
augmentation to the query instead; swap ``query_pipeline`` and
``part_pipeline`` to reproduce it.) KNN memory and validation sequences
are whole, at full frame rate.
"""
_base_ = ['./babel_knn.py']

tempo_window_len = 2 * _base_.clip_len

normal_augmentation = [
    dict(type='TemporalPadCrop', padding_ratio=6),
    dict(type='RandomShear', amplitude=0.5),
]
skeleton_specific_augmentation = normal_augmentation + [
    dict(type='GaussianJitter', std=0.01, prob=0.5),
    dict(type='TemporalGaussianBlur', kernel_size=15, sigma=(0.1, 2.0),
         prob=0.5),
    dict(type='RandomAxisMask', prob=0.5),
]
pretrain_pipeline = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='RandomWindowCrop', clip_len=tempo_window_len),
    dict(type='FixPersonCount', num_person={{_base_.num_person}}),
    dict(
        type='RelativeTempoViews',
        query_pipeline=normal_augmentation,
        key_pipeline=normal_augmentation,
        part_pipeline=skeleton_specific_augmentation),
    dict(type='PackUntrimmedPoseInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=pretrain_pipeline))

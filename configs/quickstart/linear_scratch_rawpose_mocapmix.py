"""Quick start, Stage 2 floor: linear evaluation of the raw pose.

The linear protocol of ``linear_skeletonclr_stgcn_mocapmix.py`` on the
no-learning floor: ``RawPoseEncoder`` (joints + 3 x velocities, nothing to
train or load, hence ``scratch``) in place of the encoder, average-pooled
to the ST-GCN's levels (T, T/4, T/8) so the same U-neck and linear
classifier train on top.

    python tools/train.py configs/quickstart/linear_scratch_rawpose_mocapmix.py --seed 0
"""
_base_ = ['./linear_skeletonclr_stgcn_mocapmix.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='RawPoseEncoder',
        streams=('joint', 'velocity'),
        velocity_weight=3.0,
        temporal_strides=(1, 4, 8)),
    pretrained=None)

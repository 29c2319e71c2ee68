"""RawPoseEncoder: the no-learning floor's features against features written
out by hand, frame by frame, joint by joint."""
import numpy as np
import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.models import RawPoseEncoder

V, C = 25, 3
#: NTU-25 bones checked by hand: (child, parent), 0-based (head -> neck,
#: left elbow -> left shoulder, left hip -> spine base).
HAND_BONES = ((3, 2), (5, 4), (12, 0))
CENTRE = 20
#: Tolerance of float32 features against float64 hand computation.
FLOAT32 = dict(rtol=1e-5, atol=1e-6)


def skeletons(frames, persons=1, seed=0):
    """Random non-zero ``(1, M, T, V, C)`` skeletons."""
    rng = np.random.default_rng(seed)
    return torch.from_numpy(
        rng.uniform(0.1, 1.0, (1, persons, frames, V, C)).astype(np.float32))


def hand_features(x, velocity_weight, present=None):
    """Joints then weighted velocities of one person ``(T, V, C)``, one
    row per frame; the velocity is 0 unless this frame and the previous one
    are both in ``present``."""
    x = x.numpy().astype(np.float64)
    present = range(len(x)) if present is None else present
    rows = []
    for t in range(len(x)):
        velocity = np.zeros((V, C))
        if t > 0 and t in present and t - 1 in present:
            velocity = x[t] - x[t - 1]
        rows.append(np.concatenate([x[t].ravel(),
                                    velocity_weight * velocity.ravel()]))
    return np.stack(rows)


def features(encoder, x):
    """Level 0 of ``x`` as ``(T, channels)``."""
    return encoder.extract_feat(x)[0][0].T.double().numpy()


def test_joints_and_weighted_velocities_match_the_hand_computation():
    encoder = RawPoseEncoder()
    x = skeletons(6)
    assert encoder.out_channels == [2 * V * C]
    np.testing.assert_allclose(features(encoder, x),
                               hand_features(x[0, 0], 3.0), **FLOAT32)


def test_velocity_weight_scales_the_velocity_stream_only():
    x = skeletons(5)
    plain = features(RawPoseEncoder(velocity_weight=1.0), x)
    heavy = features(RawPoseEncoder(velocity_weight=5.0), x)
    np.testing.assert_allclose(heavy[:, :V * C], plain[:, :V * C])
    np.testing.assert_allclose(heavy[:, V * C:], 5 * plain[:, V * C:],
                               **FLOAT32)
    assert np.abs(plain[1:, V * C:]).min() > 0  # the velocities are real


def test_streams_are_concatenated_in_the_given_order():
    x = skeletons(3)
    encoder = RawPoseEncoder(streams=('bone', 'joint'))
    assert encoder.out_channels == [2 * V * C]
    out = features(encoder, x)
    joints = x[0, 0].double().numpy()
    np.testing.assert_allclose(out[:, V * C:],
                               joints.reshape(3, V * C), **FLOAT32)
    bones = out[:, :V * C].reshape(3, V, C)
    for child, parent in HAND_BONES:
        np.testing.assert_allclose(bones[:, child],
                                   joints[:, child] - joints[:, parent],
                                   **FLOAT32)
    assert not bones[:, CENTRE].any()
    velocity_only = features(RawPoseEncoder(streams=('velocity', )), x)
    np.testing.assert_allclose(velocity_only,
                               hand_features(x[0, 0], 3.0)[:, V * C:],
                               **FLOAT32)


def test_odd_length_keeps_every_frame_and_pools_the_partial_window():
    x = skeletons(7)
    encoder = RawPoseEncoder(temporal_strides=(1, 4))
    fine, coarse = encoder.extract_feat(x)
    assert fine.shape == (1, 2 * V * C, 7) and coarse.shape[-1] == 2
    expected = hand_features(x[0, 0], 3.0)
    np.testing.assert_allclose(coarse[0].T.double().numpy(),
                               [expected[:4].mean(0), expected[4:].mean(0)],
                               **FLOAT32)


def test_padding_and_missing_frames_never_enter_a_velocity():
    """End padding (PadFrames), start padding and a missing frame (all
    zero): real frames take differences only between real neighbours."""
    encoder = RawPoseEncoder()
    real = skeletons(5)
    padded = torch.zeros(1, 1, 8, V, C)
    padded[:, :, :5] = real
    out = features(encoder, padded)
    np.testing.assert_allclose(out[:5], features(encoder, real), **FLOAT32)
    assert not out[5:].any()

    late = torch.zeros(1, 1, 8, V, C)
    late[:, :, 3:] = real
    expected = hand_features(late[0, 0], 3.0, present=range(3, 8))
    np.testing.assert_allclose(features(encoder, late), expected,
                               **FLOAT32)
    assert not expected[3, V * C:].any()  # the first real frame: v = 0

    gap = real.clone()
    gap[:, :, 2] = 0
    out = features(encoder, gap)
    np.testing.assert_allclose(
        out, hand_features(gap[0, 0], 3.0, present={0, 1, 3, 4}),
        **FLOAT32)
    assert not out[3, V * C:].any()


def test_persons_are_averaged_and_an_absent_person_halves_the_features():
    two = skeletons(4, persons=2)
    encoder = RawPoseEncoder()
    expected = (hand_features(two[0, 0], 3.0) +
                hand_features(two[0, 1], 3.0)) / 2
    np.testing.assert_allclose(features(encoder, two), expected, **FLOAT32)
    alone = two.clone()
    alone[:, 1] = 0
    np.testing.assert_allclose(features(encoder, alone),
                               hand_features(two[0, 0], 3.0) / 2, **FLOAT32)


def test_nothing_to_learn_and_bad_input_is_refused():
    encoder = MODELS.build(dict(type='RawPoseEncoder'))
    assert not list(encoder.parameters()) and not encoder.state_dict()
    with pytest.raises(ValueError, match=r'\(N, M, T, 25, 3\).*\(1, 4, 25, 3\)'):
        encoder(torch.ones(1, 4, 25, 3))
    with pytest.raises(ValueError, match=r'\(1, 1, 4, 17, 3\)'):
        encoder(torch.ones(1, 1, 4, 17, 3))
    with pytest.raises(ValueError, match='streams'):
        RawPoseEncoder(streams=('joint', 'speed'))
    with pytest.raises(ValueError, match='streams'):
        RawPoseEncoder(streams=('joint', 'joint'))
    with pytest.raises(ValueError, match='temporal_strides'):
        RawPoseEncoder(temporal_strides=(4, 8))
    with pytest.raises(RuntimeError, match='nothing to train'):
        encoder(torch.ones(1, 1, 4, V, C), [], mode='loss')


def test_a_localizer_on_the_raw_pose_trains_only_its_neck_and_head():
    localizer = MODELS.build(
        dict(type='SkeletonLocalizer',
             backbone=dict(type='RawPoseEncoder', temporal_strides=(1, 4, 8)),
             neck=dict(type='UShapeNeck', hidden_channels=8, out_channels=8),
             head=dict(type='FramewiseLocalizationHead', num_classes=3),
             freeze_backbone=True))
    logits = localizer(skeletons(16))
    assert logits.shape == (1, 4, 16)
    assert localizer.neck.in_channels == [2 * V * C] * 3
    assert all(name.startswith(('neck.', 'head.'))
               for name, _ in localizer.named_parameters())

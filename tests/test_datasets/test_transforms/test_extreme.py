"""AimCLR's extreme augmentations: each does exactly its geometric job,
never touches frames, and is the identity at prob 0."""
import numpy as np
import pytest

from snippet_plugin.datasets.annotation import NTU25_BONES, NTU25_FLIP_PAIRS
from snippet_plugin.datasets.transforms import (AugmentView,
                                                ContrastiveViews,
                                                GaussianJitter,
                                                RandomAxisMask,
                                                RandomAxisRotation,
                                                SkeletonFlip,
                                                TemporalGaussianBlur)


def distinct_results(frames=20, persons=2, seed=0):
    """Random skeletons whose joints all have distinct coordinates, plus
    frame-aligned keys that no augmentation here may change."""
    rng = np.random.default_rng(seed)
    keypoint = rng.normal(size=(persons, frames, 25, 3)).astype(np.float32)
    return dict(keypoint=keypoint,
                keypoint_score=rng.random((persons, frames, 25)),
                frame_labels=np.arange(frames) % 3,
                frame_mask=np.ones(frames, bool),
                frame_inds=np.arange(frames), total_frames=frames)


def fresh_copy(results):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v)
            for k, v in results.items()}


ALWAYS = [
    SkeletonFlip(prob=1),
    RandomAxisRotation(prob=1),
    GaussianJitter(prob=1),
    TemporalGaussianBlur(prob=1),
    RandomAxisMask(prob=1),
]
NEVER = [
    SkeletonFlip(prob=0),
    RandomAxisRotation(prob=0),
    GaussianJitter(prob=0),
    TemporalGaussianBlur(prob=0),
    RandomAxisMask(prob=0),
]


@pytest.mark.parametrize('transform', NEVER, ids=repr)
def test_prob_zero_is_the_identity(transform):
    original = distinct_results()
    for seed in range(5):
        np.random.seed(seed)
        out = transform(fresh_copy(original))
        for key, value in original.items():
            assert np.array_equal(out[key], value), key


@pytest.mark.parametrize('transform', ALWAYS, ids=repr)
def test_frames_and_dtype_are_kept(transform):
    original = distinct_results()
    np.random.seed(1)
    out = transform(fresh_copy(original))
    assert out['keypoint'].shape == original['keypoint'].shape
    assert out['keypoint'].dtype == np.float32
    assert not np.array_equal(out['keypoint'], original['keypoint'])
    for key in ('frame_labels', 'frame_mask', 'frame_inds'):
        assert np.array_equal(out[key], original[key])


# ---- flip -------------------------------------------------------------------


def test_flip_sends_each_left_joint_to_its_right_twin_mirrored():
    original = distinct_results()
    out = SkeletonFlip(prob=1)(fresh_copy(original))
    mirrored = original['keypoint'] * np.array([-1, 1, 1], np.float32)
    partner = {v: v for v in range(25)}
    for left, right in NTU25_FLIP_PAIRS:
        partner[left], partner[right] = right, left
    for joint in range(25):
        assert np.array_equal(out['keypoint'][:, :, joint],
                              mirrored[:, :, partner[joint]])
        assert np.array_equal(out['keypoint_score'][:, :, joint],
                              original['keypoint_score'][:, :,
                                                         partner[joint]])
    # central joints keep their index, only x changes sign
    for joint in (0, 1, 2, 3, 20):
        assert partner[joint] == joint


def test_flip_without_mirror_is_aimclr_joint_swap():
    original = distinct_results()
    out = SkeletonFlip(prob=1, mirror_x=False)(fresh_copy(original))
    assert np.array_equal(out['keypoint'][:, :, 4],
                          original['keypoint'][:, :, 8])
    assert np.array_equal(out['keypoint'][:, :, 23],
                          original['keypoint'][:, :, 21])


def test_flipping_twice_is_the_identity():
    original = distinct_results()
    flip = SkeletonFlip(prob=1)
    out = flip(flip(fresh_copy(original)))
    assert np.array_equal(out['keypoint'], original['keypoint'])
    assert np.array_equal(out['keypoint_score'], original['keypoint_score'])


# ---- rotation ---------------------------------------------------------------


def bone_lengths(keypoint):
    return np.stack([
        np.linalg.norm(keypoint[..., child, :] - keypoint[..., parent, :],
                       axis=-1) for child, parent in NTU25_BONES
    ])


def fitted_rotation(before, after):
    """Least-squares ``R`` with ``after = before @ R.T``."""
    solution, *_ = np.linalg.lstsq(before.reshape(-1, 3).astype(np.float64),
                                   after.reshape(-1, 3).astype(np.float64),
                                   rcond=None)
    return solution.T


@pytest.mark.parametrize('seed', range(12))
def test_rotation_keeps_bones_and_turns_about_one_axis_within_max(seed):
    original = distinct_results(seed=seed)
    np.random.seed(seed)
    out = RandomAxisRotation(max_angle=30)(fresh_copy(original))
    np.testing.assert_allclose(bone_lengths(out['keypoint']),
                               bone_lengths(original['keypoint']), atol=1e-5)
    rotation = fitted_rotation(original['keypoint'], out['keypoint'])
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-5)
    assert np.linalg.det(rotation) == pytest.approx(1, abs=1e-5)
    angle = np.degrees(np.arccos(np.clip((np.trace(rotation) - 1) / 2, -1,
                                         1)))
    assert 0 <= angle <= 30 + 1e-3
    # exactly one coordinate axis is left fixed (the rotation axis)
    fixed = [axis for axis in range(3)
             if np.allclose(rotation[:, axis], np.eye(3)[axis], atol=1e-5)]
    assert len(fixed) == 1 or angle < 1e-3


def test_rotation_angles_cover_the_range():
    original = distinct_results(frames=2, persons=1)
    angles, axes = [], set()
    for seed in range(200):
        np.random.seed(seed)
        out = RandomAxisRotation(max_angle=30)(fresh_copy(original))
        rotation = fitted_rotation(original['keypoint'], out['keypoint'])
        angles.append(np.degrees(np.arccos((np.trace(rotation) - 1) / 2)))
        axes.add(int(np.argmax(np.abs(np.diag(rotation)))))
    assert max(angles) > 27 and min(angles) < 3
    assert axes == {0, 1, 2}


# ---- jitter -----------------------------------------------------------------


def test_jitter_std_is_right_on_a_big_array():
    keypoint = np.ones((2, 500, 25, 3), np.float32)
    np.random.seed(0)
    out = GaussianJitter(std=0.01, prob=1)(dict(keypoint=keypoint.copy()))
    noise = out['keypoint'] - keypoint
    assert noise.std() == pytest.approx(0.01, rel=0.02)
    assert abs(noise.mean()) < 1e-4  # 3 standard errors


def padded_results(real_frames, padded_frames, seed=0):
    """``distinct_results`` of ``real_frames`` frames, zero-padded at the
    end to ``padded_frames`` (mask False), as ``RandomWindowCrop`` pads."""
    results = distinct_results(frames=padded_frames, seed=seed)
    results['keypoint'][:, real_frames:] = 0
    results['frame_mask'][real_frames:] = False
    return results


def test_jitter_leaves_padded_frames_zero_and_moves_real_ones():
    np.random.seed(0)
    out = GaussianJitter(std=0.01, prob=1)(padded_results(6, 10))
    assert np.all(out['keypoint'][:, 6:] == 0)
    assert np.all(out['keypoint'][:, :6] != padded_results(6, 10)[
        'keypoint'][:, :6])


# ---- blur -------------------------------------------------------------------


def test_blur_keeps_length_and_a_constant_signal():
    keypoint = np.full((1, 9, 25, 3), 2.5, np.float32)  # T < kernel size
    np.random.seed(0)
    out = TemporalGaussianBlur(kernel_size=15, prob=1)(
        dict(keypoint=keypoint.copy()))
    assert out['keypoint'].shape == keypoint.shape
    np.testing.assert_allclose(out['keypoint'], 2.5, rtol=1e-6)


def test_blur_is_the_hand_computed_weighted_average_inside():
    original = distinct_results(frames=40)
    # the transform draws its Bernoulli first, then sigma
    np.random.seed(3)
    np.random.rand()
    sigma = np.random.uniform(0.5, 1.5)
    np.random.seed(3)
    out = TemporalGaussianBlur(kernel_size=7, sigma=(0.5, 1.5), prob=1)(
        fresh_copy(original))
    frame = 20
    weights = [np.exp(-d * d / (2 * sigma * sigma)) for d in range(-3, 4)]
    expected = sum(w * original['keypoint'][:, frame + d]
                   for w, d in zip(weights, range(-3, 4))) / sum(weights)
    np.testing.assert_allclose(out['keypoint'][:, frame], expected,
                               rtol=1e-5, atol=1e-6)


def test_blur_at_the_first_frame_renormalises_the_cut_kernel():
    keypoint = np.zeros((1, 10, 1, 1), np.float32)
    keypoint[0, :, 0, 0] = np.arange(10)
    np.random.seed(0)
    out = TemporalGaussianBlur(kernel_size=3, sigma=(1., 1.), prob=1)(
        dict(keypoint=keypoint))
    w = np.exp(-0.5)
    assert out['keypoint'][0, 0, 0, 0] == pytest.approx(
        (0 * 1 + 1 * w) / (1 + w), rel=1e-6)


def test_blur_of_a_padded_clip_is_the_blur_of_its_real_frames():
    """The real frames blur as if the padding were not there (the kernel
    renormalised at the last real frame), and padding stays zero."""
    short = distinct_results(frames=12)
    padded = padded_results(12, 20)
    padded['keypoint'][:, :12] = short['keypoint']
    blurred = []
    for results in (short, padded):
        np.random.seed(5)
        blurred.append(TemporalGaussianBlur(kernel_size=7, sigma=(1., 2.),
                                            prob=1)(results)['keypoint'])
    np.testing.assert_allclose(blurred[1][:, :12], blurred[0], rtol=1e-6,
                               atol=1e-7)
    assert np.all(blurred[1][:, 12:] == 0)


# ---- axis mask --------------------------------------------------------------


@pytest.mark.parametrize('seed', range(6))
def test_axis_mask_zeros_exactly_one_axis(seed):
    original = distinct_results(seed=seed)
    np.random.seed(seed)
    out = RandomAxisMask(prob=1)(fresh_copy(original))['keypoint']
    zeroed = [c for c in range(3) if np.all(out[..., c] == 0)]
    assert len(zeroed) == 1
    for c in range(3):
        if c not in zeroed:
            assert np.array_equal(out[..., c], original['keypoint'][..., c])


def test_axis_mask_picks_every_axis():
    original = distinct_results(frames=2, persons=1)
    picked = set()
    for seed in range(40):
        np.random.seed(seed)
        out = RandomAxisMask(prob=1)(fresh_copy(original))['keypoint']
        picked.update(c for c in range(3) if np.all(out[..., c] == 0))
    assert picked == {0, 1, 2}


# ---- AugmentView ------------------------------------------------------------


def test_augment_view_changes_only_its_view():
    results = distinct_results()
    stacked = ContrastiveViews(pipeline=[], num_views=3)(fresh_copy(results))
    before = fresh_copy(stacked)
    out = AugmentView(index=2, pipeline=[dict(type='SkeletonFlip',
                                              prob=1)])(stacked)
    expected = SkeletonFlip(prob=1)(fresh_copy(results))
    assert out['keypoint'].shape == (3, 2, 20, 25, 3)
    assert np.array_equal(out['keypoint'][2], expected['keypoint'])
    assert np.array_equal(out['keypoint_score'][2],
                          expected['keypoint_score'])
    for view in (0, 1):
        assert np.array_equal(out['keypoint'][view], before['keypoint'][view])
    for key in ('frame_labels', 'frame_mask', 'frame_inds'):
        assert np.array_equal(out[key], before[key])


def test_augment_view_refuses_unstacked_input_and_a_missing_view():
    with pytest.raises(ValueError, match='ContrastiveViews'):
        AugmentView(index=0, pipeline=[])(distinct_results())
    stacked = ContrastiveViews(pipeline=[], num_views=2)(distinct_results())
    with pytest.raises(ValueError, match='V_n > 2'):
        AugmentView(index=2, pipeline=[])(stacked)


def test_transforms_are_registered_under_their_names():
    from mmaction.registry import TRANSFORMS
    for cls in (SkeletonFlip, RandomAxisRotation, GaussianJitter,
                TemporalGaussianBlur, RandomAxisMask, AugmentView):
        assert TRANSFORMS.get(cls.__name__) is cls

"""NormalizeSkeleton3D: root centring, spine to +z and shoulders to +x by
hand-built rotations, rigid-motion invariance, bone lengths, and frame order
and labels kept."""
import numpy as np
import pytest

from snippet_plugin.datasets.annotation import NTU25_BONES
from snippet_plugin.datasets.transforms import NormalizeSkeleton3D
from snippet_plugin.datasets.transforms.normalize import (axis_angle_matrix,
                                                          rotation_between)
from indexed_frames import indexed_results, label_of


def test_normalisation_keeps_frame_order_and_labels():
    results = indexed_results(9)
    results['keypoint'][..., 2] = np.sin(results['keypoint'][..., 1])
    before = results['keypoint'][0].astype(np.float64)
    out = NormalizeSkeleton3D(centre='sequence')(results)
    after = out['keypoint'][0].astype(np.float64)
    assert after.shape == before.shape and out['total_frames'] == 9
    assert out['frame_labels'].tolist() == label_of(np.arange(9)).tolist()
    # a rigid motion keeps each frame's distance to frame 0
    dist_before = np.linalg.norm(before - before[:1], axis=-1)
    dist_after = np.linalg.norm(after - after[:1], axis=-1)
    np.testing.assert_allclose(dist_after, dist_before, atol=1e-4)


def canonical_skeleton(rng, frames=6):
    """(1, T, 25, 3) in which frame 0 is already normalised: spine base at
    the origin, spine 0->1 along +z, shoulders 8->4 along +x; the other
    joints and frames are random."""
    skeleton = rng.normal(scale=0.3, size=(frames, 25, 3))
    skeleton[0, 0] = [0., 0., 0.]
    skeleton[0, 1] = [0., 0., 0.3]
    skeleton[0, 4] = [0.2, 0.1, 0.5]
    skeleton[0, 8] = [-0.2, 0.1, 0.5]
    return skeleton[None].astype(np.float32)


def random_rotation(rng):
    axis = rng.normal(size=3)
    return axis_angle_matrix(axis, rng.uniform(0.3, 3.0))


def test_axis_angle_matrix_by_hand():
    quarter_z = axis_angle_matrix(np.array([0., 0., 2.]), np.pi / 2)
    np.testing.assert_allclose(quarter_z @ [1., 0., 0.], [0., 1., 0.],
                               atol=1e-12)
    half_x = axis_angle_matrix(np.array([1., 0., 0.]), np.pi)
    np.testing.assert_allclose(half_x @ [0., 1., 1.], [0., -1., -1.],
                               atol=1e-12)


@pytest.mark.parametrize('source', [[0., 0., -2.], [3., 0., 0.],
                                    [1., -2., 0.5], [0., 0., 1.]])
def test_rotation_between_turns_source_onto_target(source):
    rotation = rotation_between(np.array(source), np.array([0., 0., 1.]))
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
    assert np.isclose(np.linalg.det(rotation), 1.)
    np.testing.assert_allclose(rotation @ source,
                               [0., 0., np.linalg.norm(source)], atol=1e-12)


def test_normalised_reference_frame_is_centred_and_axis_aligned():
    rng = np.random.default_rng(0)
    skeleton = canonical_skeleton(rng)
    moved = skeleton @ random_rotation(rng).T.astype(np.float32) + [3, -1, 2]
    out = NormalizeSkeleton3D()(dict(keypoint=moved.astype(np.float32)))
    reference = out['keypoint'][0, 0]
    np.testing.assert_allclose(reference[0], 0., atol=1e-5)
    spine = reference[1] - reference[0]
    np.testing.assert_allclose(spine, [0., 0., 0.3], atol=1e-5)
    shoulder = reference[4] - reference[8]
    np.testing.assert_allclose(shoulder, [0.4, 0., 0.], atol=1e-5)


def test_a_rotated_translated_copy_normalises_to_the_same_output():
    rng = np.random.default_rng(1)
    skeleton = canonical_skeleton(rng, frames=8)
    copies = [
        skeleton @ random_rotation(rng).T.astype(np.float32) +
        rng.normal(scale=5., size=3).astype(np.float32) for _ in range(3)
    ]
    normalise = NormalizeSkeleton3D(centre='sequence')
    outputs = [
        normalise(dict(keypoint=c.astype(np.float32)))['keypoint']
        for c in copies
    ]
    # the canonical skeleton is already normalised, so every copy maps back
    for out in outputs:
        np.testing.assert_allclose(out, skeleton, atol=1e-4)


def test_bone_lengths_are_preserved():
    rng = np.random.default_rng(2)
    keypoint = rng.normal(size=(2, 5, 25, 3)).astype(np.float32)
    out = NormalizeSkeleton3D()(dict(keypoint=keypoint.copy()))['keypoint']
    child, parent = np.array(NTU25_BONES).T
    before = np.linalg.norm(keypoint[:, :, child] - keypoint[:, :, parent],
                            axis=-1)
    after = np.linalg.norm(out[:, :, child] - out[:, :, parent], axis=-1)
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-5)


def test_non_perpendicular_shoulders_keep_the_spine_on_z():
    rng = np.random.default_rng(3)
    keypoint = rng.normal(size=(1, 3, 25, 3)).astype(np.float32)
    out = NormalizeSkeleton3D()(dict(keypoint=keypoint))['keypoint'][0, 0]
    spine = out[1] - out[0]
    shoulder = out[4] - out[8]
    np.testing.assert_allclose(spine[:2], 0., atol=1e-5)
    assert spine[2] > 0
    assert abs(shoulder[1]) < 1e-5 and shoulder[0] > 0


def test_shoulder_only_alignment_puts_the_shoulders_on_x():
    rng = np.random.default_rng(4)
    keypoint = rng.normal(size=(1, 2, 25, 3)).astype(np.float32)
    out = NormalizeSkeleton3D(align_spine=False)(
        dict(keypoint=keypoint))['keypoint'][0, 0]
    shoulder = out[4] - out[8]
    np.testing.assert_allclose(shoulder[1:], 0., atol=1e-5)
    assert shoulder[0] > 0


def test_zero_frames_and_persons_stay_zero_and_define_no_reference():
    rng = np.random.default_rng(5)
    keypoint = np.zeros((2, 6, 25, 3), np.float32)
    keypoint[0, 2:] = canonical_skeleton(rng, frames=4)[0] + [1., 2., 3.]
    keypoint[0, 4] = 0.  # a missing frame in the middle
    keypoint[1, 3] = 1.  # person 1 present only in frame 3
    out = NormalizeSkeleton3D(centre='sequence')(
        dict(keypoint=keypoint.copy()))['keypoint']
    assert out.shape == (2, 6, 25, 3) and out.dtype == np.float32
    assert np.all(out[0, :2] == 0) and np.all(out[0, 4] == 0)
    assert np.all(out[1, [0, 1, 2, 4, 5]] == 0)
    # frame 2 (the first valid one of person 0) is the reference
    np.testing.assert_allclose(out[0, 2, 0], 0., atol=1e-5)
    np.testing.assert_allclose(out[0, 2, 1] - out[0, 2, 0], [0, 0, 0.3],
                               atol=1e-5)
    # a pure translation for this canonical skeleton: person 1 moves by it
    np.testing.assert_allclose(out[1, 3], np.tile([0., -1., -2.], (25, 1)),
                               atol=1e-5)


def test_frame_centring_puts_every_frame_root_at_the_origin():
    rng = np.random.default_rng(6)
    skeleton = canonical_skeleton(rng, frames=5)
    walked = skeleton + rng.normal(scale=3., size=(1, 5, 1, 3))
    rotation = random_rotation(rng).astype(np.float32)
    out = NormalizeSkeleton3D()(dict(
        keypoint=(walked @ rotation.T).astype(np.float32)))['keypoint']
    # one rotation (that of frame 0), then each frame minus its own root
    expected = skeleton - skeleton[:, :, :1]
    np.testing.assert_allclose(out, expected, atol=1e-4)
    np.testing.assert_allclose(out[0, :, 0], 0., atol=1e-5)


def test_frame_centring_keeps_people_relative_to_person_zero():
    keypoint = np.zeros((2, 2, 25, 3), np.float32)
    keypoint[0, :, 0] = [[1., 1., 1.], [5., 5., 5.]]
    keypoint[0, :, 1:] = 0.5
    keypoint[1, 1] = 7.  # person 1 only in frame 1
    out = NormalizeSkeleton3D(align_spine=False, align_shoulder=False)(
        dict(keypoint=keypoint.copy()))['keypoint']
    np.testing.assert_allclose(out[0, :, 0], 0., atol=1e-6)
    np.testing.assert_allclose(out[1, 1], 2., atol=1e-6)  # 7 - 5
    assert np.all(out[1, 0] == 0)


def test_unknown_centre_mode_is_refused():
    with pytest.raises(ValueError, match="centre must be one of"):
        NormalizeSkeleton3D(centre='hips')


def test_absent_person_zero_uses_the_next_person_and_all_zero_is_kept():
    keypoint = np.zeros((2, 3, 25, 3), np.float32)
    keypoint[1, 1] = np.arange(75).reshape(25, 3)
    out = NormalizeSkeleton3D(align_spine=False, align_shoulder=False)(
        dict(keypoint=keypoint.copy()))['keypoint']
    np.testing.assert_allclose(out[1, 1], keypoint[1, 1] - [0., 1., 2.])
    assert np.all(out[0] == 0)
    empty = NormalizeSkeleton3D()(dict(keypoint=np.zeros((1, 4, 25, 3))))
    assert np.all(empty['keypoint'] == 0) and empty['keypoint'].shape[1] == 4

"""Frame-label-aware transforms: label alignment, normalisation, windows,
packing."""
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from mmaction.models import ActionDataPreprocessor
from snippet_plugin.datasets.annotation import NTU25_BONES, UNLABELLED
from snippet_plugin.datasets.transforms import (FixPersonCount,
                                                NormalizeSkeleton3D,
                                                PackUntrimmedPoseInputs,
                                                PadFrames, RandomWindowCrop,
                                                WindowCrop,
                                                sliding_window_starts)
from snippet_plugin.datasets.transforms.normalize import (axis_angle_matrix,
                                                          rotation_between)


def label_of(frame):
    """The known label of original frame ``frame`` (classes 0..3, bg 4)."""
    return (3 * np.asarray(frame) + 1) % 5


def indexed_results(frames, persons=1, window_start=0, window_len=None):
    """Results whose keypoint[m, t, :, 0] = t + 1 (frame identity) and
    frame_labels[t] = label_of(t)."""
    keypoint = np.zeros((persons, frames, 25, 3), np.float32)
    keypoint[..., 0] = np.arange(frames)[None, :, None] + 1
    keypoint[..., 1] = np.arange(25)[None, None, :]
    return dict(keypoint=keypoint, total_frames=frames,
                keypoint_score=keypoint[..., 0] / 100,
                ori_total_frames=frames,
                frame_labels=label_of(np.arange(frames)).astype(np.int64),
                frame_mask=np.ones(frames, bool), window_start=window_start,
                window_len=window_len or frames, frame_dir='seq',
                segments=np.zeros((0, 3), np.int64), video_labels=[1, 3],
                fps=30)


def assert_aligned(out):
    """Every output frame carries the label and keypoints of the original
    frame ``frame_inds[t]``; padding is label -1, mask False, zeros."""
    inds = out['frame_inds']
    real = inds >= 0
    assert out['frame_labels'].dtype == np.int64
    assert out['frame_mask'].dtype == bool
    assert len(inds) == out['total_frames'] == out['keypoint'].shape[1]
    assert np.array_equal(out['frame_mask'], real)
    assert np.array_equal(out['frame_labels'][real], label_of(inds[real]))
    assert np.all(out['frame_labels'][~real] == UNLABELLED)
    assert np.array_equal(out['keypoint'][0, real, 0, 0], inds[real] + 1)
    assert np.all(out['keypoint'][:, ~real] == 0)
    np.testing.assert_allclose(out['keypoint_score'][0, real, 3],
                               (inds[real] + 1) / 100)
    assert np.all(out['keypoint_score'][:, ~real] == 0)


@pytest.mark.parametrize('transform, frames, expected_inds', [
    (RandomWindowCrop(30), 12, list(range(12)) + [-1] * 18),
    (WindowCrop(), 7, list(range(7))),
    (PadFrames(multiple_of=8), 13, list(range(13)) + [-1] * 3),
    (PadFrames(length=20), 13, list(range(13)) + [-1] * 7),
    (PadFrames(multiple_of=4), 8, list(range(8))),
])
def test_frame_changing_transforms_move_labels_with_frames(
        transform, frames, expected_inds):
    out = transform(indexed_results(frames))
    assert out['frame_inds'].tolist() == expected_inds
    assert_aligned(out)


def test_window_crop_pads_the_last_window_and_keeps_original_indices():
    out = WindowCrop()(indexed_results(7, window_start=4, window_len=4))
    assert out['frame_inds'].tolist() == [4, 5, 6, -1]
    assert out['frame_labels'].tolist() == [3, 1, 4, -1]
    assert_aligned(out)


def test_random_crop_of_a_long_sequence_is_a_contiguous_inside_window():
    for seed in range(20):
        np.random.seed(seed)
        out = RandomWindowCrop(20)(indexed_results(50))
        start = out['frame_inds'][0]
        assert 0 <= start <= 30
        assert out['frame_inds'].tolist() == list(range(start, start + 20))
        assert_aligned(out)


def test_random_crop_is_reproducible_with_a_seed_and_varies_without():
    def start(seed):
        np.random.seed(seed)
        return int(RandomWindowCrop(20)(indexed_results(50))['frame_inds'][0])

    assert start(7) == start(7)
    assert len({start(seed) for seed in range(20)}) > 1


def test_chained_crops_compose_frame_inds_with_the_original_sequence():
    np.random.seed(0)
    results = indexed_results(40)
    results = RandomWindowCrop(11)(results)
    first_start = results['frame_inds'][0]
    results = RandomWindowCrop(6)(results)
    results = PadFrames(multiple_of=4)(results)
    inds = results['frame_inds']
    assert len(inds) == 8 and inds[6:].tolist() == [-1, -1]
    assert first_start <= inds[0] and inds[5] < first_start + 11
    assert_aligned(results)


def test_window_crop_refuses_an_already_cropped_sequence():
    np.random.seed(0)
    cropped = RandomWindowCrop(5)(indexed_results(20))
    with pytest.raises(ValueError, match='whole original sequence'):
        WindowCrop()(cropped)


def test_pad_frames_never_drops_frames():
    with pytest.raises(ValueError, match='never dropped'):
        PadFrames(length=10)(indexed_results(11))
    with pytest.raises(ValueError, match='exactly one'):
        PadFrames(multiple_of=4, length=8)


def test_fix_person_count_pads_and_truncates_persons_only():
    one = FixPersonCount(2)(indexed_results(6, persons=1))
    assert one['keypoint'].shape == (2, 6, 25, 3)
    assert np.all(one['keypoint'][1] == 0)
    assert one['frame_labels'].tolist() == label_of(np.arange(6)).tolist()
    three = indexed_results(6, persons=3)
    three['keypoint'][2] += 100
    out = FixPersonCount(2)(three)
    assert out['keypoint'].shape == (2, 6, 25, 3)
    assert out['keypoint'].max() < 100


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


# ---- normalisation ----------------------------------------------------------


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


# ---- windows ----------------------------------------------------------------


@pytest.mark.parametrize('frames, clip_len, stride, expected', [
    (7, 4, 2, [0, 2, 4]),
    (301, 300, 150, [0, 150]),
    (300, 300, 150, [0]),
    (3, 300, 150, [0]),
    (450, 300, 150, [0, 150]),
    (451, 300, 150, [0, 150, 300]),
])
def test_sliding_window_starts_by_hand(frames, clip_len, stride, expected):
    assert sliding_window_starts(frames, clip_len, stride).tolist() == expected


def test_sliding_windows_cover_every_frame_for_many_lengths():
    for frames in range(1, 40):
        for clip_len in (1, 4, 7):
            for stride in range(1, clip_len + 1):
                starts = sliding_window_starts(frames, clip_len, stride)
                covered = set()
                for start in starts:
                    assert start < frames
                    covered |= set(range(start, min(start + clip_len,
                                                    frames)))
                assert covered == set(range(frames))
                assert starts[-1] + clip_len >= frames
                assert len(starts) == 1 or starts[-2] + clip_len < frames


def test_a_gap_making_stride_is_refused():
    with pytest.raises(ValueError, match='gap'):
        sliding_window_starts(10, 4, 5)


@pytest.mark.parametrize('frames, clip_len, stride', [(7, 4, 2),
                                                      (301, 300, 150)])
def test_window_crops_tile_the_sequence(frames, clip_len, stride):
    seen = []
    for start in sliding_window_starts(frames, clip_len, stride):
        out = WindowCrop()(indexed_results(frames, window_start=int(start),
                                           window_len=clip_len))
        assert out['keypoint'].shape == (1, clip_len, 25, 3)
        assert_aligned(out)
        seen.extend(out['frame_inds'][out['frame_mask']].tolist())
    assert set(seen) == set(range(frames))
    last_padding = clip_len - (frames - start)
    assert int((~out['frame_mask']).sum()) == last_padding


# ---- packing ----------------------------------------------------------------


def test_pack_gives_inputs_and_a_data_sample_with_typed_fields():
    results = indexed_results(10)
    results['segments'] = np.array([[2, 5, 1], [6, 9, 3]], np.int64)
    results = PadFrames(length=12)(results)
    packed = PackUntrimmedPoseInputs(meta_keys=('label_mode', 'absent'))(
        dict(results, label_mode='frame'))
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs.dtype == torch.float32 and inputs.shape == (1, 12, 25, 3)
    assert sample.gt_frame_labels.dtype == torch.long
    assert sample.frame_mask.dtype == torch.bool
    assert sample.frame_inds.dtype == torch.long
    assert sample.gt_frame_labels.tolist() == label_of(
        np.arange(10)).tolist() + [-1, -1]
    assert sample.frame_mask.tolist() == [True] * 10 + [False] * 2
    assert sample.frame_inds.tolist() == list(range(10)) + [-1, -1]
    assert sample.gt_labels.item.tolist() == [1, 3]
    assert sample.video_labels == [1, 3]
    assert sample.gt_segments.dtype == np.int64
    assert sample.gt_segments.tolist() == [[2, 5, 1], [6, 9, 3]]
    assert sample.total_frames == 10 and sample.window_start == 0
    assert sample.frame_dir == 'seq' and sample.fps == 30
    assert sample.label_mode == 'frame' and 'absent' not in sample


def test_pack_without_frame_changes_uses_identity_and_empty_labels():
    results = indexed_results(5)
    del results['frame_mask']
    results['video_labels'] = []
    sample = PackUntrimmedPoseInputs()(results)['data_samples']
    assert sample.frame_inds.tolist() == [0, 1, 2, 3, 4]
    assert sample.frame_mask.all()
    assert sample.gt_labels.item.dtype == torch.long
    assert sample.gt_labels.item.numel() == 0
    assert sample.gt_segments.shape == (0, 3)


def test_a_batch_collates_and_preprocesses_to_n_m_t_v_c():
    items = []
    for frames, persons in ((9, 1), (14, 2), (4, 1)):
        results = indexed_results(frames, persons=persons)
        np.random.seed(frames)
        results = RandomWindowCrop(8)(results)
        items.append(PackUntrimmedPoseInputs()(FixPersonCount(2)(results)))
    batch = ActionDataPreprocessor()(pseudo_collate(items))
    assert batch['inputs'].shape == (3, 2, 8, 25, 3)
    assert batch['inputs'].dtype == torch.float32
    torch.testing.assert_close(batch['inputs'][2],
                               items[2]['inputs'])
    labels = torch.stack([s.gt_frame_labels for s in batch['data_samples']])
    assert labels.shape == (3, 8)
    assert labels[2].tolist() == label_of(np.arange(4)).tolist() + [-1] * 4

"""Contrastive views and their augmentations: frames and labels stay aligned,
shears are exact, views pack and batch, and with one sub-pipeline per view
(HiCLR's growing augmentations) view i runs exactly pipeline i."""
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from mmaction.models import ActionDataPreprocessor
from snippet_plugin.datasets.annotation import UNLABELLED
from snippet_plugin.datasets.transforms import (ContrastiveViews,
                                                FixPersonCount,
                                                PackUntrimmedPoseInputs,
                                                RandomShear, RandomWindowCrop,
                                                TemporalPadCrop)
from snippet_plugin.datasets.transforms.contrastive import \
    symmetric_pad_indices
import indexed_frames
from indexed_frames import label_of


def indexed_results(frames, persons=1):
    """``indexed_frames.indexed_results`` with z = 0.5 on every joint (so a
    shear has something to move) and the single video label 1."""
    results = indexed_frames.indexed_results(frames, persons)
    results['keypoint'][..., 2] = 0.5
    results['video_labels'] = [1]
    return results


def source_frames(keypoint):
    """Original frame of each frame of a ``(M, T, V, C)`` indexed keypoint
    (-1 where the frame is zero padding)."""
    return np.rint(keypoint[0, :, 0, 0]).astype(np.int64) - 1


# ---- TemporalPadCrop --------------------------------------------------------


def test_symmetric_pad_indices_by_hand():
    assert symmetric_pad_indices(5, 2).tolist() == [1, 0, 0, 1, 2, 3, 4, 4, 3]
    assert symmetric_pad_indices(4, 0).tolist() == [0, 1, 2, 3]


def test_every_offset_of_the_temporal_crop_is_the_hand_computed_window():
    frames = 13  # padding 13 // 6 = 2 -> padded [1,0,0..12,12,11]
    padded = [1, 0] + list(range(frames)) + [12, 11]
    seen = set()
    for seed in range(60):
        np.random.seed(seed)
        out = TemporalPadCrop(padding_ratio=6)(indexed_results(frames))
        offset = int(np.flatnonzero(
            [padded[o:o + frames] == out['frame_inds'].tolist()
             for o in range(5)])[0])
        seen.add(offset)
        assert out['total_frames'] == out['keypoint'].shape[1] == frames
        assert np.array_equal(source_frames(out['keypoint']),
                              out['frame_inds'])
        assert np.array_equal(out['frame_labels'],
                              label_of(out['frame_inds']))
        np.testing.assert_allclose(out['keypoint_score'][0, :, 3],
                                   (out['frame_inds'] + 1) / 100)
        assert out['frame_mask'].all()
    assert seen == {0, 1, 2, 3, 4}, 'all 2p + 1 offsets occur'


def test_a_padded_clip_is_cropped_on_its_real_frames_and_keeps_its_padding():
    np.random.seed(3)
    clip = RandomWindowCrop(12)(indexed_results(8))  # frames 8..11 padding
    # the crop sees the 8 real frames only: 8 // 3 = 2 mirrored each side
    padded_real = [1, 0] + list(range(8)) + [7, 6]
    seen = set()
    for seed in range(40):
        np.random.seed(seed)
        offset = np.random.randint(2 * 2 + 1)
        np.random.seed(seed)
        out = TemporalPadCrop(padding_ratio=3)(dict(clip))
        seen.add(offset)
        expected_inds = padded_real[offset:offset + 8] + [-1] * 4
        assert out['frame_inds'].tolist() == expected_inds
        assert out['frame_mask'].tolist() == [True] * 8 + [False] * 4
        assert np.all(out['frame_labels'][8:] == UNLABELLED)
        assert np.array_equal(out['frame_labels'][:8],
                              label_of(np.array(expected_inds[:8])))
        assert np.all(out['keypoint'][:, 8:] == 0)
        assert source_frames(out['keypoint'])[:8].tolist() == \
            expected_inds[:8]
    assert seen == {0, 1, 2, 3, 4}


def test_a_short_sequence_keeps_real_frames_in_every_view():
    """Cropping the padded window would shift a 3-frame sequence out of a
    30-frame view for most offsets; cropping its real frames never does."""
    np.random.seed(0)
    clip = RandomWindowCrop(30)(indexed_results(3))
    for seed in range(20):
        np.random.seed(seed)
        out = TemporalPadCrop(padding_ratio=1)(dict(clip))
        assert out['frame_mask'].tolist() == [True] * 3 + [False] * 27
        assert set(out['frame_inds'][:3].tolist()) <= {0, 1, 2}


def test_temporal_crop_is_reproducible_with_a_seed():
    outputs = []
    for _ in range(2):
        np.random.seed(11)
        outputs.append(TemporalPadCrop()(indexed_results(60))['frame_inds'])
    assert np.array_equal(*outputs)


# ---- RandomShear ------------------------------------------------------------


def test_shear_is_the_seeded_matrix_product_and_keeps_zero_joints():
    rng = np.random.default_rng(0)
    keypoint = rng.normal(size=(2, 6, 25, 3)).astype(np.float32)
    keypoint[1, 2:4] = 0  # a person missing in two frames
    keypoint[0, 0, 7] = 0  # one missing joint
    np.random.seed(5)
    out = RandomShear(amplitude=0.5)(dict(keypoint=keypoint.copy()))
    np.random.seed(5)
    shear = np.random.uniform(-0.5, 0.5, size=(3, 3))
    shear[[0, 1, 2], [0, 1, 2]] = 1.0
    expected = np.einsum('ij,mtvj->mtvi', shear, keypoint.astype(np.float64))
    assert out['keypoint'].dtype == np.float32
    np.testing.assert_allclose(out['keypoint'], expected, rtol=1e-5,
                               atol=1e-6)
    assert np.all(out['keypoint'][1, 2:4] == 0)
    assert np.all(out['keypoint'][0, 0, 7] == 0)
    assert np.all(np.abs(shear - np.eye(3)) <= 0.5)


def test_zero_amplitude_shear_is_the_identity():
    keypoint = np.random.default_rng(1).normal(size=(1, 4, 25, 3)).astype(
        np.float32)
    out = RandomShear(amplitude=0)(dict(keypoint=keypoint.copy()))
    np.testing.assert_array_equal(out['keypoint'], keypoint)


# ---- ContrastiveViews + packing ---------------------------------------------

VIEW_PIPELINE = [
    dict(type='TemporalPadCrop', padding_ratio=3),
    dict(type='RandomShear', amplitude=0.5)
]


def test_views_are_stacked_differ_and_keep_their_own_labels():
    np.random.seed(0)
    results = FixPersonCount(2)(indexed_results(30))
    out = ContrastiveViews(VIEW_PIPELINE, num_views=2)(results)
    assert out['keypoint'].shape == (2, 2, 30, 25, 3)
    assert out['keypoint_score'].shape == (2, 2, 30, 25)
    for key in ('frame_labels', 'frame_mask', 'frame_inds'):
        assert out[key].shape == (2, 30)
    assert out['num_views'] == 2 and out['total_frames'] == 30
    assert not np.allclose(out['keypoint'][0], out['keypoint'][1])
    for view in range(2):
        inds = out['frame_inds'][view]
        assert np.array_equal(out['frame_labels'][view], label_of(inds))
        # scores are not sheared: they name each frame's source frame
        np.testing.assert_allclose(out['keypoint_score'][view, 0, :, 0],
                                   (inds + 1) / 100)


def test_the_input_is_not_modified_by_the_views():
    results = indexed_results(12)
    keypoint = results['keypoint'].copy()
    ContrastiveViews(VIEW_PIPELINE)(results)
    np.testing.assert_array_equal(results['keypoint'], keypoint)


def test_views_of_different_lengths_are_refused():
    lengths = iter([5, 7])

    def crop_to_next_length(results):
        return RandomWindowCrop(next(lengths))(results)

    views = ContrastiveViews([crop_to_next_length])
    with pytest.raises(ValueError, match='same number of frames'):
        views(indexed_results(12))


def test_views_pack_and_batch_to_n_views_m_t_v_c():
    items = []
    for seed, frames in enumerate((20, 26, 31)):
        np.random.seed(seed)
        results = RandomWindowCrop(24)(indexed_results(frames))
        results = FixPersonCount(2)(results)
        results = ContrastiveViews(VIEW_PIPELINE)(results)
        items.append((results, PackUntrimmedPoseInputs()(dict(results))))
    packed = items[0][1]
    assert packed['inputs'].shape == (2, 2, 24, 25, 3)
    sample = packed['data_samples']
    assert sample.gt_frame_labels.shape == (2, 24)
    assert sample.gt_frame_labels.tolist() == items[0][0][
        'frame_labels'].tolist()
    assert sample.frame_inds.tolist() == items[0][0]['frame_inds'].tolist()
    assert sample.frame_mask.tolist() == items[0][0]['frame_mask'].tolist()
    assert torch.equal(sample.frame_mask, sample.frame_inds >= 0)
    assert not sample.frame_mask.all(), 'the 20-frame clip has padding'

    batch = ActionDataPreprocessor()(pseudo_collate([p for _, p in items]))
    assert batch['inputs'].shape == (3, 2, 2, 24, 25, 3)
    torch.testing.assert_close(batch['inputs'][1], items[1][1]['inputs'])
    labels = torch.stack([s.gt_frame_labels for s in batch['data_samples']])
    assert labels.shape == (3, 2, 24)


def test_pack_refuses_views_with_unstacked_frame_arrays():
    np.random.seed(0)
    results = ContrastiveViews(VIEW_PIPELINE)(indexed_results(10))
    results['frame_labels'] = results['frame_labels'][0]
    with pytest.raises(ValueError, match='not stacked per view'):
        PackUntrimmedPoseInputs()(results)


# ---- one pipeline per view --------------------------------------------------


def sample(frames=12):
    """keypoint[0, t, v, :] = (t, v, 1); frame labels 0..T-1."""
    keypoint = np.zeros((1, frames, 25, 3), np.float32)
    keypoint[..., 0] = np.arange(frames)[None, :, None]
    keypoint[..., 1] = np.arange(25)[None, None, :]
    keypoint[..., 2] = 1.0
    return dict(keypoint=keypoint, total_frames=frames,
                frame_labels=np.arange(frames, dtype=np.int64))


class Offset:
    """Deterministic transform: adds ``value`` to every coordinate and
    records its name."""

    def __init__(self, value):
        self.value = value

    def __call__(self, results):
        results['keypoint'] = results['keypoint'] + self.value
        results['applied'] = results.get('applied', []) + [self.value]
        return results


def test_view_i_gets_the_transforms_of_pipeline_i_in_order():
    normal = [Offset(1.0)]
    strong = normal + [Offset(10.0)]
    strongest = strong + [Offset(100.0)]
    results = sample()
    original = results['keypoint'].copy()
    out = ContrastiveViews(pipelines=[normal, normal, strong, strongest])(
        results)
    assert out['num_views'] == 4
    assert out['keypoint'].shape == (4, 1, 12, 25, 3)
    for view, offset in enumerate([1.0, 1.0, 11.0, 111.0]):
        np.testing.assert_array_equal(out['keypoint'][view],
                                      original + offset)
    assert out['applied'] == [1.0], 'non-frame keys come from view 0'
    assert out['frame_labels'].shape == (4, 12)
    assert out['frame_inds'].tolist() == [list(range(12))] * 4
    np.testing.assert_array_equal(results['keypoint'], original)


def test_registered_transforms_per_view_match_hand_computed_results():
    frames = 12  # padding 12 // 3 = 4 frames each side
    pipelines = [
        [],
        [dict(type='TemporalPadCrop', padding_ratio=3)],
        [dict(type='RandomShear', amplitude=0.5)],
    ]
    results = sample(frames)
    original = results['keypoint'].astype(np.float64)

    np.random.seed(7)
    offset = np.random.randint(2 * 4 + 1)  # view 1 draws first
    shear = np.random.uniform(-0.5, 0.5, size=(3, 3))  # then view 2
    np.fill_diagonal(shear, 1.0)
    np.random.seed(7)
    out = ContrastiveViews(pipelines=pipelines)(results)

    padded = [4, 3, 2, 1] + list(range(frames)) + [11, 10, 9, 8]
    window = padded[offset:offset + frames]
    assert out['frame_inds'][0].tolist() == list(range(frames))
    assert out['frame_inds'][1].tolist() == window
    assert out['frame_inds'][2].tolist() == list(range(frames))
    assert out['frame_labels'][1].tolist() == window
    np.testing.assert_array_equal(out['keypoint'][0], original)
    np.testing.assert_array_equal(out['keypoint'][1], original[:, window])
    np.testing.assert_allclose(out['keypoint'][2],
                               np.einsum('ij,mtvj->mtvi', shear, original),
                               rtol=1e-5, atol=1e-5)


def test_single_pipeline_with_num_views_still_works():
    out = ContrastiveViews([Offset(2.0)], num_views=3)(sample())
    assert out['keypoint'].shape[0] == out['num_views'] == 3
    np.testing.assert_array_equal(out['keypoint'][2],
                                  sample()['keypoint'] + 2.0)
    assert ContrastiveViews(pipeline=[Offset(2.0)]).num_views == 2
    assert ContrastiveViews(pipelines=[[], []], num_views=2).num_views == 2


@pytest.mark.parametrize('kwargs, match', [
    (dict(pipeline=[], pipelines=[[], []]), 'exactly one'),
    (dict(), 'exactly one'),
    (dict(pipelines=[[], []], num_views=3), 'num_views=3 but 2'),
    (dict(pipelines=[]), 'at least one view'),
    (dict(pipeline=[], num_views=0), 'at least one view'),
])
def test_ambiguous_or_empty_view_specifications_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ContrastiveViews(**kwargs)


def test_a_view_pipeline_must_be_a_list_of_transforms():
    with pytest.raises(TypeError, match='list of transforms'):
        ContrastiveViews(pipelines=[dict(type='RandomShear')])

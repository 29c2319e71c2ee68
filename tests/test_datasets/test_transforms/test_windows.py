"""Window transforms (RandomWindowCrop, WindowCrop, PadFrames) and
sliding_window_starts: labels move with their frames, padding is masked,
windows tile the sequence."""
import numpy as np
import pytest

from snippet_plugin.datasets.transforms import (PadFrames, RandomWindowCrop,
                                                WindowCrop,
                                                sliding_window_starts)
from indexed_frames import assert_aligned, indexed_results


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

"""RelativeTempoViews: each tempo view shows the right frames, and the
frame-aligned arrays (labels, mask, original indices) follow them."""
import numpy as np
import pytest

from snippet_plugin.datasets.transforms import (PackUntrimmedPoseInputs,
                                                RandomWindowCrop,
                                                RelativeTempoViews,
                                                TemporalPadCrop,
                                                tempo_indices)

NUM_FRAMES = 12


def frame_numbered_sample(num_frames=NUM_FRAMES, first_frame=100):
    """Keypoints whose every coordinate is the original frame index; labels
    ``(frame // 3) % 4``; ``frame_inds`` of a window starting at
    ``first_frame`` of a longer sequence."""
    original = first_frame + np.arange(num_frames)
    keypoint = np.broadcast_to(original[None, :, None, None],
                               (2, num_frames, 25, 3)).astype(np.float32)
    return dict(
        keypoint=keypoint.copy(),
        frame_labels=(original // 3) % 4,
        frame_mask=np.ones(num_frames, dtype=bool),
        frame_inds=original.copy(),
        total_frames=num_frames)


def views_at_speed(transform, sample, speed):
    """Run ``transform`` with the first global seed that draws ``speed``."""
    for seed in range(100):
        np.random.seed(seed)
        out = transform({k: np.copy(v) for k, v in sample.items()})
        if out['tempo_speed'] == speed:
            return out
    raise AssertionError(f'no seed drew speed {speed}')


def shown_frames(out):
    """``(4, T')`` original frame shown by each view (from the keypoints)."""
    return out['keypoint'][:, 0, :, 0, 0].astype(np.int64)


def test_tempo_indices_normal_speed_is_consecutive_2x_every_second_frame():
    assert tempo_indices(10, 1).tolist() == [0, 1, 2, 3, 4]
    assert tempo_indices(10, 2).tolist() == [0, 2, 4, 6, 8]
    assert tempo_indices(7, 1).tolist() == [0, 1, 2]
    assert tempo_indices(7, 2).tolist() == [0, 2, 4]
    with pytest.raises(ValueError):
        tempo_indices(10, 3)


@pytest.mark.parametrize('speed', [1, 2])
def test_views_show_their_tempo_and_carry_their_frames_labels(speed):
    transform = RelativeTempoViews([], [], [])
    out = views_at_speed(transform, frame_numbered_sample(), speed)
    normal = 100 + np.arange(6)  # first half, consecutive
    fast = 100 + 2 * np.arange(6)  # whole window, every 2nd frame
    same, other = (normal, fast) if speed == 1 else (fast, normal)
    expected = np.stack([same, same, other, same])
    assert out['keypoint'].shape == (4, 2, 6, 25, 3)
    assert out['num_views'] == 4 and out['total_frames'] == 6
    np.testing.assert_array_equal(shown_frames(out), expected)
    np.testing.assert_array_equal(out['frame_inds'], expected)
    np.testing.assert_array_equal(out['frame_labels'], (expected // 3) % 4)
    assert out['frame_mask'].shape == (4, 6) and out['frame_mask'].all()


def test_speed_is_drawn_per_sample_about_half_the_time():
    transform = RelativeTempoViews([], [], [])
    np.random.seed(0)
    speeds = [transform(frame_numbered_sample())['tempo_speed']
              for _ in range(400)]
    assert set(speeds) == {1, 2}
    assert 0.4 < speeds.count(2) / 400 < 0.6


def test_key_views_share_one_augmentation_query_and_part_do_not():
    """Views 1 and 2 are tempo samples of ONE pad-cropped key; through the
    crop, every view's labels and indices still match the frames shown."""
    transform = RelativeTempoViews([TemporalPadCrop(padding_ratio=3)],
                                   [TemporalPadCrop(padding_ratio=3)],
                                   [TemporalPadCrop(padding_ratio=3)])
    first_frames = []
    for seed in range(20):
        np.random.seed(seed)
        out = transform(frame_numbered_sample())
        frames = shown_frames(out)
        np.testing.assert_array_equal(out['frame_inds'], frames)
        np.testing.assert_array_equal(out['frame_labels'], (frames // 3) % 4)
        # both tempo samples start at the key crop's first frame
        assert frames[1, 0] == frames[2, 0]
        first_frames.append(frames[:, 0])
    first_frames = np.array(first_frames)
    assert (first_frames[:, 0] != first_frames[:, 1]).any()
    assert (first_frames[:, 3] != first_frames[:, 1]).any()


def test_padding_of_a_short_sequence_stays_masked_in_every_view():
    """7 real frames in a 12-frame window: padded frames keep label -1,
    mask False and index -1 wherever a tempo view shows them."""
    sample = frame_numbered_sample(num_frames=7, first_frame=0)
    sample.update(total_frames=7)
    windowed = RandomWindowCrop(clip_len=NUM_FRAMES)(sample)
    out = views_at_speed(RelativeTempoViews([], [], []), windowed, 2)
    fast = 2 * np.arange(6)  # frames 0, 2, .., 10; 8 and 10 are padding
    real = fast < 7
    np.testing.assert_array_equal(out['frame_mask'][0], real)
    np.testing.assert_array_equal(out['frame_inds'][0],
                                  np.where(real, fast, -1))
    np.testing.assert_array_equal(out['frame_labels'][0],
                                  np.where(real, (fast // 3) % 4, -1))
    assert (out['keypoint'][0][:, ~real] == 0).all()
    np.testing.assert_array_equal(out['frame_mask'][2], np.ones(6, bool))


def test_packs_into_four_views_with_per_view_frame_fields():
    sample = frame_numbered_sample()
    sample.update(segments=np.zeros((0, 3)), video_labels=[], frame_dir='a',
                  window_start=0, ori_total_frames=200, fps=30)
    out = views_at_speed(RelativeTempoViews([], [], []), sample, 2)
    packed = PackUntrimmedPoseInputs()(out)
    assert tuple(packed['inputs'].shape) == (4, 2, 6, 25, 3)
    data_sample = packed['data_samples']
    assert tuple(data_sample.gt_frame_labels.shape) == (4, 6)
    np.testing.assert_array_equal(data_sample.frame_inds.numpy(),
                                  shown_frames(out))


def test_refuses_a_window_of_one_frame():
    with pytest.raises(ValueError, match='at least 2 frames'):
        RelativeTempoViews([], [], [])(frame_numbered_sample(num_frames=1))

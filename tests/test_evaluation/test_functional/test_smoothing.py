"""Temporal smoothing of frame scores: the window in frames from seconds,
and the centred mean over real frames, checked against a brute-force loop
and cases worked by hand."""
import numpy as np
import pytest

from snippet_plugin.evaluation.functional import (smooth_frame_scores,
                                                  smoothing_window_frames)


@pytest.mark.parametrize('seconds, fps, frames', [
    (0.0, 30, 1),      # no smoothing
    (1.0, 30, 31),     # half-width 15
    (0.5, 30, 17),     # half-width 7.5 rounds up to 8
    (0.1, 30, 5),      # 1.5 -> 2
    (0.03, 30, 1),     # 0.45 -> 0
    (3.0, 30, 91),
    (1.0, 25, 27),     # 12.5 rounds half up to 13
])
def test_window_in_frames_is_the_nearest_odd_centred_window(
        seconds, fps, frames):
    assert smoothing_window_frames(seconds, fps) == frames


@pytest.mark.parametrize('seconds, fps', [(-0.1, 30), (1.0, 0)])
def test_window_refuses_negative_seconds_and_no_frame_rate(seconds, fps):
    with pytest.raises(ValueError, match='seconds >= 0 and fps > 0'):
        smoothing_window_frames(seconds, fps)


def brute_force(probs, valid, window):
    """Frame by frame: the mean over valid frames within half a window."""
    half = window // 2
    out = np.zeros_like(probs, dtype=np.float64)
    for t in range(probs.shape[1]):
        if not valid[t]:
            continue
        inside = [j for j in range(t - half, t + half + 1)
                  if 0 <= j < probs.shape[1] and valid[j]]
        out[:, t] = probs[:, inside].mean(axis=1)
    return out


def test_hand_case_at_the_edges():
    probs = np.array([[1.0, 0.0, 0.0, 1.0, 1.0]])
    np.testing.assert_allclose(smooth_frame_scores(probs, window=3),
                               [[1 / 2, 1 / 3, 1 / 3, 2 / 3, 1.0]])


def test_hand_case_padding_never_enters_a_window():
    probs = np.array([[1.0, 0.0, 9.0, 1.0, 1.0]])   # 9: a padded frame
    mask = np.array([True, True, False, True, True])
    np.testing.assert_allclose(smooth_frame_scores(probs, mask, window=3),
                               [[0.5, 0.5, 0.0, 1.0, 1.0]])


def test_trailing_padding_leaves_real_frames_as_unpadded():
    rng = np.random.default_rng(0)
    probs = rng.random((4, 23))
    padded = np.concatenate([probs, 100 * rng.random((4, 9))], axis=1)
    mask = np.r_[np.ones(23, bool), np.zeros(9, bool)]
    smoothed = smooth_frame_scores(padded, mask, window=7)
    np.testing.assert_allclose(smoothed[:, :23],
                               smooth_frame_scores(probs, window=7))
    assert not smoothed[:, 23:].any()


@pytest.mark.parametrize('window', [1, 3, 5, 11, 41])
@pytest.mark.parametrize('num_frames', [1, 2, 7, 20])
def test_matches_brute_force_with_random_padding(window, num_frames):
    rng = np.random.default_rng(window * 100 + num_frames)
    probs = rng.random((3, num_frames))
    mask = rng.random(num_frames) > 0.3
    np.testing.assert_allclose(smooth_frame_scores(probs, mask, window),
                               brute_force(probs, mask, window))


def test_probabilities_stay_probabilities():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(5, 40))
    probs = np.exp(logits) / np.exp(logits).sum(axis=0)
    smoothed = smooth_frame_scores(probs, window=9)
    np.testing.assert_allclose(smoothed.sum(axis=0), 1.0)


def test_window_one_is_the_identity():
    probs = np.random.default_rng(2).random((3, 10))
    np.testing.assert_array_equal(smooth_frame_scores(probs, window=1), probs)


@pytest.mark.parametrize('window', [0, 2, -1])
def test_even_or_non_positive_windows_are_refused(window):
    with pytest.raises(ValueError, match='odd number'):
        smooth_frame_scores(np.zeros((2, 5)), window=window)

"""Frame probabilities -> segments (multi-threshold, outer-inner score, NMS),
and frame labels -> ground-truth segments, on hand-made curves."""
import numpy as np
import pytest

from snippet_plugin.evaluation.functional import (find_runs,
                                                  frames_to_segments,
                                                  labels_to_segments,
                                                  lower_score_overlap_nms)


def with_background(action_probs):
    """``(2, T)`` scores: the action row and a background row of 1 - p."""
    action = np.asarray(action_probs, dtype=np.float64)
    return np.stack([action, 1.0 - action])


CURVE = [0.1, 0.1, 0.1, 0.1, 0.9, 0.8, 0.9, 0.7, 0.2, 0.2, 0.2, 0.2]


def test_single_threshold_run_and_score():
    segments, scores = frames_to_segments(
        with_background(CURVE), thresholds=(0.5, ))
    # Run [4, 8), L = 4, margin ceil(0.25 * 4) = 1 frame each side:
    # frame 3 (0.1) and frame 8 (0.2). inner = 3.3 / 4 = 0.825,
    # score = 0.825 - 0.6 * 0.15 = 0.735.
    assert segments.tolist() == [[4, 8, 0]]
    assert scores == pytest.approx([0.735])


def test_second_threshold_candidate_is_suppressed_by_nms():
    segments, scores = frames_to_segments(
        with_background(CURVE), thresholds=(0.5, 0.75))
    # Threshold 0.75 adds [4, 7) (score 2.6 / 3 - 0.6 * (0.1 + 0.7) / 2
    # = 0.62667), inside the kept [4, 8): overlap 3 / 3 = 1 > 0.2.
    assert segments.tolist() == [[4, 8, 0]]
    assert scores == pytest.approx([0.735])


def test_without_nms_both_candidates_sorted_by_score():
    segments, scores = frames_to_segments(
        with_background(CURVE), thresholds=(0.5, 0.75), nms_threshold=1.0)
    assert segments.tolist() == [[4, 8, 0], [4, 7, 0]]
    assert scores == pytest.approx([0.735, 2.6 / 3 - 0.6 * 0.4])


def test_probability_equal_to_threshold_is_not_above():
    curve = [0.0, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.0]
    segments, _ = frames_to_segments(with_background(curve),
                                     thresholds=(0.5, ))
    assert segments.tolist() == [[4, 7, 0]]


def test_margins_are_clipped_at_the_sequence_edge():
    curve = [0.9, 0.9, 0.9, 0.9, 0.1, 0.3, 0.0, 0.0]
    segments, scores = frames_to_segments(with_background(curve),
                                          thresholds=(0.5, ))
    # Run [0, 4): no left margin, right margin frame 4 only (0.1).
    assert segments.tolist() == [[0, 4, 0]]
    assert scores == pytest.approx([0.9 - 0.6 * 0.1])


def test_run_over_the_whole_sequence_has_outer_mean_zero():
    segments, scores = frames_to_segments(with_background([0.8, 0.6, 0.7]),
                                          thresholds=(0.5, ))
    assert segments.tolist() == [[0, 3, 0]]
    assert scores == pytest.approx([0.7])


def test_margin_of_two_frames_is_averaged_over_both_sides():
    curve = [0.0, 0.1, 0.3] + [1.0] * 8 + [0.2, 0.4, 0.0]
    segments, scores = frames_to_segments(with_background(curve),
                                          thresholds=(0.5, ))
    # L = 8 -> margin 2: frames 1, 2 (0.1, 0.3) and 11, 12 (0.2, 0.4).
    assert segments.tolist() == [[3, 11, 0]]
    assert scores == pytest.approx([1.0 - 0.6 * 0.25])


def test_margin_ratio_and_outer_weight_are_parameters():
    curve = [0.0, 0.1, 0.3] + [1.0] * 8 + [0.2, 0.4, 0.0]
    _, scores = frames_to_segments(with_background(curve),
                                   thresholds=(0.5, ), margin_ratio=0.1,
                                   outer_weight=1.0)
    # margin ceil(0.8) = 1: frames 2 (0.3) and 11 (0.2).
    assert scores == pytest.approx([1.0 - 0.25])


def test_min_length_filter():
    curve = [0.0, 0.9, 0.9, 0.0, 0.9, 0.9, 0.9, 0.0]
    segments, _ = frames_to_segments(with_background(curve),
                                     thresholds=(0.5, ))
    assert segments.tolist() == [[4, 7, 0]]
    segments, _ = frames_to_segments(with_background(curve),
                                     thresholds=(0.5, ), min_length=2)
    assert sorted(segments.tolist()) == [[1, 3, 0], [4, 7, 0]]


def test_mask_excludes_padding_from_runs_and_margins():
    curve = [0.0, 0.0, 0.0, 0.2, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
    mask = np.array([True] * 7 + [False] * 3)
    segments, scores = frames_to_segments(with_background(curve), mask,
                                          thresholds=(0.5, ))
    # Valid run [4, 7); the right margin (frame 7) is padding, so the outer
    # mean is frame 3 alone.
    assert segments.tolist() == [[4, 7, 0]]
    assert scores == pytest.approx([0.9 - 0.6 * 0.2])


def test_background_row_is_ignored_and_classes_are_row_indices():
    scores = np.array([
        [0.9, 0.9, 0.9, 0.0, 0.0, 0.0],  # class 0
        [0.0, 0.0, 0.0, 0.9, 0.9, 0.9],  # class 1
        [0.9, 0.9, 0.9, 0.9, 0.9, 0.9],  # background
    ])
    segments, _ = frames_to_segments(scores, thresholds=(0.5, ))
    assert sorted(segments.tolist()) == [[0, 3, 0], [3, 6, 1]]
    segments, _ = frames_to_segments(scores, thresholds=(0.5, ),
                                     background_id=None)
    assert sorted(segments.tolist()) == [[0, 3, 0], [0, 6, 2], [3, 6, 1]]


def test_nms_is_per_class():
    scores = np.array([
        [0.9, 0.9, 0.9, 0.9, 0.0],
        [0.8, 0.8, 0.8, 0.8, 0.0],
        [0.0, 0.0, 0.0, 0.0, 1.0],
    ])
    segments, _ = frames_to_segments(scores, thresholds=(0.5, ))
    assert sorted(segments.tolist()) == [[0, 4, 0], [0, 4, 1]]


def test_nms_overlap_is_relative_to_the_lower_scored_segment():
    segments = np.array([
        [0, 60],  # 0: long, best score
        [50, 60],  # 1: inside 0: overlap 10 / 10 = 1 -> dropped
        #             (IoU with 0 would be 1/6 and keep it)
        [100, 110],  # 2: short, high score
        [100, 160],  # 3: overlap with 2 is 10 / 60 < 0.2 -> kept
        #             (normalised by the shorter it would be 1)
    ])
    scores = np.array([0.9, 0.5, 0.8, 0.4])
    kept = lower_score_overlap_nms(segments, scores, 0.2)
    assert kept.tolist() == [0, 2, 3]


def test_nms_keeps_overlap_equal_to_threshold():
    segments = np.array([[0, 10], [8, 18]])  # overlap 2 / 10 = 0.2
    kept = lower_score_overlap_nms(segments, np.array([1.0, 0.5]), 0.2)
    assert kept.tolist() == [0, 1]


def test_default_thresholds_on_low_probabilities():
    curve = [0.01] * 4 + [0.04] * 6 + [0.01] * 4
    segments, scores = frames_to_segments(with_background(curve))
    # Above 0.030 and 0.035 only: one run [4, 10), margins 2 frames of 0.01.
    assert segments.tolist() == [[4, 10, 0]]
    assert scores == pytest.approx([0.04 - 0.6 * 0.01])


def test_no_segments():
    segments, scores = frames_to_segments(np.zeros((3, 10)))
    assert segments.shape == (0, 3) and scores.shape == (0, )


def test_shape_errors():
    with pytest.raises(ValueError):
        frames_to_segments(np.zeros(10))
    with pytest.raises(ValueError):
        frames_to_segments(np.zeros((2, 10)), np.ones(9, dtype=bool))


def test_find_runs_per_row():
    flags = np.array([[1, 1, 0, 1], [0, 0, 0, 0], [0, 1, 1, 1]], dtype=bool)
    row, start, end = find_runs(flags)
    assert list(zip(row, start, end)) == [(0, 0, 2), (0, 3, 4), (2, 1, 4)]


def test_labels_to_segments():
    labels = np.array([3, 3, 0, 0, 1, 1, -1, 1, 3, 2])
    segments = labels_to_segments(labels, background_id=3)
    # background (3) and unlabelled (-1) frames belong to no segment.
    assert segments.tolist() == [[2, 4, 0], [4, 6, 1], [7, 8, 1], [9, 10, 2]]


def test_labels_to_segments_edge_cases():
    assert labels_to_segments(np.zeros(0), 3).shape == (0, 3)
    assert labels_to_segments(np.full(5, 3), 3).shape == (0, 3)
    assert labels_to_segments(np.full(4, 1), 3).tolist() == [[0, 4, 1]]

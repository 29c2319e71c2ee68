"""Smoothed predictions on a data sample, and the choice of the smoothing
window among candidates, scored by the test metric on held-out data."""
import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample

from snippet_plugin.evaluation import TemporalLocalizationMetric
from snippet_plugin.evaluation.functional import (frames_to_segments,
                                                  smooth_frame_scores)
from snippet_plugin.evaluation.predictions import set_frame_predictions
from snippet_plugin.evaluation.smoothing_selection import (
    HeldOutScores, select_smoothing_window, smoothing_config)

CLASSES = ['a', 'b']
BACKGROUND = 2


def flickering_scores(num_frames, segments, flicker, seed):
    """``(3, T)`` probabilities: 0.7 on the true class (background outside
    the segments), except on ``flicker`` of the frames, where a random
    wrong row takes it."""
    rng = np.random.default_rng(seed)
    labels = np.full(num_frames, BACKGROUND)
    for start, end, cls in segments:
        labels[start:end] = cls
    noisy = rng.random(num_frames) < flicker
    shown = np.where(noisy, (labels + rng.integers(1, 3, num_frames)) % 3,
                     labels)
    probs = np.full((3, num_frames), 0.15)
    probs[shown, np.arange(num_frames)] = 0.7
    return probs


def held_out_sequences(flicker=0.3, count=4):
    segments = [[10, 70, 0], [90, 150, 1]]
    return [HeldOutScores(f'seq{i}', flickering_scores(170, segments,
                                                       flicker, i),
                          np.array(segments), 30.0) for i in range(count)]


def new_metric():
    metric = TemporalLocalizationMetric()
    metric.dataset_meta = dict(classes=CLASSES)
    return metric


def packed_sample(probs, fps=30.0):
    sample = ActionDataSample(metainfo=dict(
        frame_dir='s', total_frames=probs.shape[1], fps=fps))
    return sample, torch.from_numpy(probs).float(), torch.ones(
        probs.shape[1], dtype=torch.bool)


def test_smoothed_predictions_and_the_unsmoothed_ones_beside_them():
    probs = flickering_scores(170, [[10, 70, 0]], 0.3, seed=0)
    sample, scores, valid = packed_sample(probs)
    set_frame_predictions(sample, scores, valid, BACKGROUND, smoothing_s=0.3,
                          thresholds=[0.5])
    window = 11  # 0.3 s at 30 fps: half-width 4.5 rounds half up to 5
    assert sample.smoothing_window == window and sample.smoothing_s == 0.3
    expected = smooth_frame_scores(probs.astype(np.float32), window=window)
    np.testing.assert_allclose(sample.pred_frame_scores.numpy(), expected,
                               rtol=1e-6)
    segments, _ = frames_to_segments(expected, thresholds=[0.5],
                                     background_id=BACKGROUND)
    np.testing.assert_array_equal(sample.pred_segments, segments)
    np.testing.assert_array_equal(sample.pred_frame_labels.numpy(),
                                  expected.argmax(axis=0))
    paper = packed_sample(probs)[0]
    set_frame_predictions(paper, scores, valid, BACKGROUND, thresholds=[0.5])
    assert 'smoothing_window' not in paper, 'nothing asked, nothing recorded'
    assert 'unsmoothed_pred_segments' not in paper
    np.testing.assert_array_equal(sample.unsmoothed_pred_segments,
                                  paper.pred_segments)
    np.testing.assert_array_equal(sample.unsmoothed_pred_frame_labels,
                                  paper.pred_frame_labels)
    changes = [int((labels[1:] != labels[:-1]).sum()) for labels in (
        sample.pred_frame_labels, paper.pred_frame_labels)]
    assert changes[1] > 5 * changes[0]


def test_smoothing_without_a_frame_rate_names_the_sample():
    sample, scores, valid = packed_sample(np.full((3, 5), 1 / 3), fps=None)
    with pytest.raises(ValueError, match="'s': smoothing_s=0.5 needs the "
                       'frame rate'):
        set_frame_predictions(sample, scores, valid, BACKGROUND,
                              smoothing_s=0.5)


def test_flicker_is_smoothed_away_and_the_choice_is_recorded():
    choice = select_smoothing_window(held_out_sequences(), [0, 0.2, 0.5, 1],
                                     new_metric, BACKGROUND,
                                     dict(thresholds=[0.5]))
    assert sorted(choice.scores) == [0, 0.2, 0.5, 1]
    assert choice.num_sequences == 4
    assert choice.scores[0] < choice.scores[0.5]
    assert choice.window_s == max(choice.scores, key=choice.scores.get)
    assert 'chosen on 4 held-out training sequences' in choice.summary()


def test_each_candidate_is_scored_by_the_metric_on_its_own():
    held_out = held_out_sequences(count=2)
    choice = select_smoothing_window(held_out, [0.2], new_metric,
                                     BACKGROUND, dict(thresholds=[0.5]))
    metric = new_metric()
    for item in held_out:
        smoothed = smooth_frame_scores(item.frame_scores, window=7)
        segments, scores = frames_to_segments(
            smoothed, thresholds=[0.5], background_id=BACKGROUND)
        metric.process(None, [dict(
            frame_dir=item.frame_dir, gt_segments=item.gt_segments,
            pred_segments=segments, pred_segment_scores=scores,
            pred_frame_labels=smoothed.argmax(axis=0))])
    assert choice.scores[0.2] == pytest.approx(
        metric.compute_metrics(metric.results)['mAP_avg'])


def test_ties_go_to_the_shorter_window():
    clean = [HeldOutScores('x', flickering_scores(170, [[10, 70, 0]], 0.0, 0),
                           np.array([[10, 70, 0]]), 30.0)]
    choice = select_smoothing_window(clean, [0.1, 0, 0.05], new_metric,
                                     BACKGROUND, dict(thresholds=[0.5]))
    assert set(choice.scores.values()) == {100.0}
    assert choice.window_s == 0


@pytest.mark.parametrize('option, message', [
    (dict(), 'exactly one of'),
    (dict(window_s=1, candidates_s=[1]), 'exactly one of'),
    (dict(window_s=-1), 'S >= 0'),
    (dict(candidates_s=[]), 'seconds >= 0'),
    (dict(candidates_s=[0, 1], holdout_fraction=1), r'in \(0, 1\)'),
    (dict(candidates_s=[0, 1], holdout=0.2), 'unknown smoothing keys'),
])
def test_bad_options_are_refused(option, message):
    with pytest.raises(ValueError, match=message):
        smoothing_config(option)


def test_options_get_their_defaults():
    assert smoothing_config(None) is None
    assert smoothing_config(dict(window_s=0.5)) == dict(window_s=0.5)
    assert smoothing_config(dict(candidates_s=[1, 0, 1])) == dict(
        candidates_s=[0.0, 1.0], holdout_fraction=0.2, holdout_seed=0)

"""MS-TCN-style segmentation scores (accuracy, edit, F1@k) on hand-worked
cases, and through TemporalLocalizationMetric."""
import numpy as np
import pytest
from mmaction.registry import METRICS

from snippet_plugin.evaluation.functional import (edit_score, f1_counts,
                                                  label_runs,
                                                  levenshtein,
                                                  segmentation_scores)

A, B, C, BG = 0, 1, 2, 9


def test_label_runs_skip_ignored_runs():
    np.testing.assert_array_equal(
        label_runs([A, A, BG, A, B, B], ignore_labels=(BG, )),
        [[0, 2, A], [3, 4, A], [4, 6, B]])


def test_levenshtein_and_edit_score_hand_worked():
    # [a,a,b,c] -> [a,b,a]: no single edit works (deleting one item gives
    # abc, abc, aac or aab), two do: delete one a, substitute c -> a.
    assert levenshtein([A, A, B, C], [A, B, A]) == 2
    assert levenshtein([], [A, B]) == 2
    assert levenshtein([A, B, C], [A, B, C]) == 0
    # Frames: the background run splits the two a's of the prediction.
    pred = [A, BG, A, B, C, C]   # segments a, a, b, c (BG ignored)
    gt = [A, A, B, B, A, A]      # segments a, b, a
    # edit = (1 - 2 / max(4, 3)) * 100 = 50.
    assert edit_score(pred, gt, ignore_labels=(BG, )) == pytest.approx(50.0)
    # Background counted as a label: [a,bg,a,b,c] vs [a,b,a]. At least 2
    # deletions; [a,b,a] is not a subsequence (no a after the b), so 3:
    # e.g. substitute bg -> b, delete the last b and c. (1 - 3/5) * 100 = 40.
    assert edit_score(pred, gt) == pytest.approx(40.0)
    # Nothing but background on both sides: 100 by convention.
    assert edit_score([BG, BG], [BG, BG], (BG, )) == 100.0


def test_f1_over_segmented_prediction():
    # GT: a over [0,10). Pred: a [0,5), b [5,6), a [6,10).
    gt = [A] * 10
    pred = [A] * 5 + [B] + [A] * 4
    # a[0,5): IoU 5/10 = 0.5 >= 0.5 -> TP (GT hit).
    # b[5,6): no GT of class b -> FP.
    # a[6,10): best GT is the hit one (IoU 0.4) -> FP, no fallback.
    assert f1_counts(pred, gt, 0.5) == (1, 2, 0)
    # P = 1/3, R = 1 -> F1 = 2 * (1/3) / (4/3) = 0.5.
    scores = segmentation_scores([pred], [gt])
    assert scores['F1@50'] == pytest.approx(50.0)
    # Also at 0.1: the second a-piece still cannot take the hit GT.
    assert scores['F1@10'] == pytest.approx(50.0)
    # At 0.6 the first piece (IoU 0.5) fails too: TP 0, FP 3, FN 1.
    assert f1_counts(pred, gt, 0.6) == (0, 3, 1)


def test_accuracy_with_masked_and_unlabelled_frames():
    gt = [A, A, B, B, -1, C]
    pred = [A, B, B, B, C, A]
    mask = [True, True, True, True, True, False]
    # Frame 4 is unlabelled (-1), frame 5 masked: 4 evaluated frames,
    # correct at 0, 2, 3 -> 3/4 = 75 %.
    scores = segmentation_scores([pred], [gt], masks=[mask])
    assert scores['acc'] == pytest.approx(75.0)
    # Segments of the evaluated frames: pred a, b (B run cut at frame 4);
    # gt a, b -> edit 100.
    assert scores['edit'] == pytest.approx(100.0)


def test_dataset_aggregation_sums_counts_and_averages_edit():
    perfect = ([A] * 4 + [BG] * 2, [A] * 4 + [BG] * 2)   # TP 1, edit 100
    over = ([A] * 5 + [B] + [A] * 4, [A] * 10)            # TP 1, FP 2
    scores = segmentation_scores([perfect[0], over[0]],
                                 [perfect[1], over[1]],
                                 ignore_labels=(BG, ))
    # Summed: TP 2, FP 2, FN 0 -> P 1/2, R 1, F1 = 2/3 (not the mean of
    # the per-video F1s, (100 + 50) / 2 = 75).
    assert scores['F1@50'] == pytest.approx(200 / 3)
    # Edit per video: 100 and [a,b,a] vs [a]: 2 deletions -> (1 - 2/3) * 100;
    # mean = (100 + 100/3) / 2.
    assert scores['edit'] == pytest.approx((100 + 100 / 3) / 2)
    # Accuracy pools frames: 6/6 and 9/10 -> 15/16.
    assert scores['acc'] == pytest.approx(100 * 15 / 16)
    assert set(scores) == {'acc', 'edit', 'F1@10', 'F1@25', 'F1@50'}


def test_length_mismatch_raises():
    with pytest.raises(ValueError, match='frame labels'):
        segmentation_scores([[A, A]], [[A]])


def test_metric_reports_segmentation_scores():
    # classes walk, run, jump -> background id 3.
    metric = METRICS.build(dict(type='TemporalLocalizationMetric',
                                tiou_thresholds=(0.5, )))
    metric.dataset_meta = dict(classes=['walk', 'run', 'jump'])
    metric.process(None, [
        dict(frame_dir='a', total_frames=12,
             gt_segments=np.array([[0, 4, 0], [6, 10, 1]]),
             pred_segments=np.array([[0, 3, 0]]),
             pred_segment_scores=np.array([0.9]),
             # two padding frames after total_frames are not evaluated
             pred_frame_labels=np.array([0, 0, 0, 3, 3, 3, 1, 1, 2, 2, 3, 3,
                                         0, 0])),
        # No pred_frame_labels: left out of the segmentation scores.
        dict(frame_dir='b', total_frames=5, gt_segments=[[0, 5, 2]],
             pred_segments=np.zeros((0, 3)),
             pred_segment_scores=np.zeros(0)),
    ])
    metrics = metric.evaluate(size=2)
    # GT frames of 'a': 0 0 0 0 3 3 1 1 1 1 3 3
    # pred:             0 0 0 3 3 3 1 1 2 2 3 3 -> 9 of 12 right: 75 %.
    # Segments: gt [walk, run], pred [walk, run, jump] -> L = 1,
    #   edit = (1 - 1/3) * 100.
    # F1: walk [0,3) vs [0,4) IoU 0.75 TP; run [6,8) vs [6,10) IoU 0.5 TP;
    #   jump FP -> P 2/3, R 1, F1 = 0.8 at 10, 25 and 50.
    assert metrics['tal/acc'] == pytest.approx(75.0)
    assert metrics['tal/edit'] == pytest.approx(200 / 3)
    for k in (10, 25, 50):
        assert metrics[f'tal/F1@{k}'] == pytest.approx(80.0)
    # mAP: walk AP 1 ([0,3) IoU 0.75), run 0, jump 0 -> 1/3.
    assert metrics['tal/mAP@0.5'] == pytest.approx(100 / 3)


def test_metric_without_frame_labels_has_no_segmentation_keys():
    metric = METRICS.build(dict(type='TemporalLocalizationMetric',
                                tiou_thresholds=(0.5, )))
    metric.dataset_meta = dict(classes=['walk'])
    metric.process(None, [dict(frame_dir='a', gt_segments=[[0, 5, 0]],
                               pred_segments=[[0, 5, 0]],
                               pred_segment_scores=[1.0])])
    assert set(metric.evaluate(size=1)) == {'tal/mAP@0.5', 'tal/mAP_avg'}

"""VOC AP and temporal mAP, checked against hand-worked values and a
plain-Python brute force."""
import numpy as np
import pytest

from snippet_plugin.evaluation.functional import (average_precision,
                                                  detection_map, temporal_map)

THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5)


def pred(video, start, end, label, score):
    return dict(video=video, start=start, end=end, label=label, score=score)


def gt(video, start, end, label):
    return dict(video=video, start=start, end=end, label=label)


# --------------------------------------------------------- average_precision
def test_average_precision_tp_fp_tp_with_three_ground_truths():
    # Ranked: TP, FP, TP; 3 GT. precision 1, 1/2, 2/3; recall 1/3, 1/3, 2/3.
    # Envelope 1, 2/3, 2/3 -> AP = 1/3 * 1 + 0 * 2/3 + 1/3 * 2/3 = 5/9.
    recall = np.array([1, 1, 2]) / 3
    precision = np.array([1, 1 / 2, 2 / 3])
    assert float(average_precision(recall, precision)) == pytest.approx(5 / 9)


def test_average_precision_envelope_lifts_earlier_points():
    # Ranked: FP, TP with 1 GT: precision 0, 1/2; recall 0, 1.
    # Envelope 1/2, 1/2 -> AP = 1 * 1/2.
    ap = average_precision(np.array([0.0, 1.0]), np.array([0.0, 0.5]))
    assert float(ap) == pytest.approx(0.5)


def test_average_precision_rows_and_empty():
    recall = np.array([[0.5, 1.0], [0.0, 0.0]])
    precision = np.array([[1.0, 1.0], [0.0, 0.0]])
    assert average_precision(recall, precision) == pytest.approx([1.0, 0.0])
    assert float(average_precision(np.zeros(0), np.zeros(0))) == 0.0


# -------------------------------------------------------------- temporal_map
def test_duplicate_detection_of_one_ground_truth_is_false_positive():
    gts = [gt('a', 0, 10, 0), gt('a', 20, 30, 0)]
    preds = [
        pred('a', 0, 10, 0, 0.9),  # TP (IoU 1)
        pred('a', 1, 10, 0, 0.8),  # IoU 0.9 with a GT already taken: FP
        pred('a', 20, 28, 0, 0.7),  # TP (IoU 0.8)
    ]
    result = temporal_map(preds, gts, THRESHOLDS)
    # precision 1, 1/2, 2/3; recall 1/2, 1/2, 1 -> AP = 1/2 + 1/2 * 2/3.
    assert result.mean_ap == pytest.approx([5 / 6] * 5)
    assert result.average_mean_ap == pytest.approx(5 / 6)


def test_threshold_decides_true_positive():
    gts = [gt('a', 0, 10, 0)]
    preds = [pred('a', 5, 15, 0, 0.9),  # IoU 1/3
             pred('b', 0, 10, 0, 0.1)]  # other video: never a match
    result = temporal_map(preds, gts, THRESHOLDS)
    # theta <= 0.3: TP then FP -> AP 1; theta 0.4, 0.5: FP, FP -> AP 0.
    assert result.mean_ap == pytest.approx([1, 1, 1, 0, 0])
    assert result.average_mean_ap == pytest.approx(0.6)


def test_iou_equal_to_threshold_counts():
    result = temporal_map([pred('a', 0, 5, 0, 1.0)], [gt('a', 0, 10, 0)],
                          (0.5, ))
    assert result.mean_ap == pytest.approx([1.0])


def test_best_iou_ground_truth_is_taken_not_the_first():
    gts = [gt('a', 0, 10, 0), gt('a', 8, 20, 0)]
    preds = [
        pred('a', 6, 18, 0, 0.9),  # IoU 4/18 with GT 0, 10/14 with GT 1
        pred('a', 8, 20, 0, 0.8),  # GT 1 is taken; IoU 2/20 with GT 0: FP
    ]
    # Both GTs pass theta for the first prediction; it must take GT 1.
    result = temporal_map(preds, gts, (0.15, ))
    # TP, FP with 2 GT: precision 1, 1/2; recall 1/2, 1/2 -> AP 1/2.
    assert result.mean_ap == pytest.approx([0.5])


@pytest.mark.parametrize('gt_order, expected', [((0, 1), 1.0), ((1, 0), 0.5)])
def test_equal_iou_ground_truths_taken_in_input_order(gt_order, expected):
    both = [gt('a', 0, 10, 0), gt('a', 10, 20, 0)]
    gts = [both[i] for i in gt_order]
    preds = [
        pred('a', 5, 15, 0, 0.9),  # IoU 1/3 with both GTs: takes the first
        pred('a', 10, 20, 0, 0.8),  # copy of [10, 20): TP iff still free
    ]
    result = temporal_map(preds, gts, (0.3, ))
    assert result.mean_ap == pytest.approx([expected])


@pytest.mark.parametrize('first_is_hit, expected', [(True, 1.0),
                                                    (False, 0.5)])
def test_score_ties_keep_input_order(first_is_hit, expected):
    hit = pred('a', 0, 10, 0, 0.5)
    miss = pred('a', 50, 60, 0, 0.5)
    preds = [hit, miss] if first_is_hit else [miss, hit]
    result = temporal_map(preds, [gt('a', 0, 10, 0)], (0.5, ))
    # hit first: precision 1, 1/2, recall 1, 1 -> AP 1.
    # miss first: precision 0, 1/2, recall 0, 1 -> AP 1/2.
    assert result.mean_ap == pytest.approx([expected])


def test_class_without_predictions_scores_zero_and_is_averaged():
    gts = [gt('a', 0, 10, 0), gt('a', 20, 30, 1)]
    preds = [pred('a', 0, 10, 0, 0.9)]
    result = temporal_map(preds, gts, THRESHOLDS)
    assert result.class_ap[1] == pytest.approx([0.0] * 5)
    assert result.mean_ap == pytest.approx([0.5] * 5)


def test_class_absent_from_ground_truth_is_not_averaged():
    gts = [gt('a', 0, 10, 0)]
    preds = [pred('a', 0, 10, 0, 0.9), pred('a', 0, 10, 2, 0.95)]
    result = temporal_map(preds, gts, THRESHOLDS, num_classes=3)
    assert np.isnan(result.class_ap[1]).all()
    assert np.isnan(result.class_ap[2]).all()
    assert list(result.num_gt) == [1, 0, 0]
    assert list(result.num_pred) == [1, 0, 1]
    assert result.mean_ap == pytest.approx([1.0] * 5)


def test_no_ground_truth_gives_nan():
    result = temporal_map([pred('a', 0, 10, 0, 0.9)], [], THRESHOLDS)
    assert np.isnan(result.mean_ap).all()


def test_no_predictions_gives_zero():
    result = temporal_map([], [gt('a', 0, 10, 0)], THRESHOLDS)
    assert result.mean_ap == pytest.approx([0.0] * 5)


def test_column_input_equals_record_input():
    rng = np.random.default_rng(1)
    preds, gts = random_problem(rng, num_videos=5, num_classes=3)
    columns = {k: np.array([p[k] for p in preds]) for k in preds[0]}
    gt_columns = {k: [g[k] for g in gts] for k in gts[0]}
    assert (temporal_map(columns, gt_columns).class_ap == pytest.approx(
        temporal_map(preds, gts).class_ap, nan_ok=True))


@pytest.mark.parametrize('seed', range(5))
def test_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    preds, gts = random_problem(rng, num_videos=6, num_classes=4)
    thresholds = (0.1, 0.3, 0.5, 0.7)
    result = temporal_map(preds, gts, thresholds, num_classes=4)
    expected = brute_force_map(preds, gts, thresholds)
    assert result.mean_ap == pytest.approx(expected, abs=1e-12)


def test_chunked_pairing_matches_brute_force(monkeypatch):
    monkeypatch.setattr(detection_map, 'PAIR_CHUNK', 7)
    rng = np.random.default_rng(7)
    preds, gts = random_problem(rng, num_videos=6, num_classes=2)
    result = temporal_map(preds, gts, THRESHOLDS)
    assert result.mean_ap == pytest.approx(
        brute_force_map(preds, gts, THRESHOLDS), abs=1e-12)


@pytest.mark.parametrize('bad_preds, bad_gts, kwargs, error', [
    ([pred('a', 5, 5, 0, 1.0)], [gt('a', 0, 1, 0)], {}, ValueError),
    ([], [gt('a', 3, 1, 0)], {}, ValueError),
    ([], [gt('a', 0, 1, 0)], dict(tiou_thresholds=(0.0, )), ValueError),
    ([], [gt('a', 0, 1, 4)], dict(num_classes=3), ValueError),
    ([pred('a', 0, 1, 0, float('nan'))], [], {}, ValueError),
    ([dict(video='a', start=0, end=1, label=0)], [], {}, KeyError),
])
def test_invalid_input_raises(bad_preds, bad_gts, kwargs, error):
    with pytest.raises(error):
        temporal_map(bad_preds, bad_gts, **kwargs)


# ------------------------------------------------------------------- helpers
def random_problem(rng, num_videos, num_classes):
    """Overlapping random GT and predictions, integer frames, tied scores."""
    gts, preds = [], []
    for video in range(num_videos):
        for _ in range(rng.integers(1, 6)):
            start = int(rng.integers(0, 80))
            gts.append(gt(f'v{video}', start, start + int(rng.integers(
                3, 30)), int(rng.integers(num_classes))))
        for _ in range(rng.integers(0, 25)):
            start = int(rng.integers(0, 90))
            preds.append(
                pred(f'v{video}', start, start + int(rng.integers(2, 30)),
                     int(rng.integers(num_classes)),
                     float(rng.integers(0, 5)) / 4))
    return preds, gts


def brute_force_map(preds, gts, thresholds):
    """The VOC rules, one prediction and one GT at a time."""
    classes = sorted({g['label'] for g in gts})
    maps = []
    for theta in thresholds:
        aps = []
        for cls in classes:
            ranked = sorted([p for p in preds if p['label'] == cls],
                            key=lambda p: -p['score'])
            cls_gts = [g for g in gts if g['label'] == cls]
            taken = [False] * len(cls_gts)
            hits = []
            for p in ranked:
                best, best_iou = None, -1.0
                for j, g in enumerate(cls_gts):
                    if g['video'] != p['video'] or taken[j]:
                        continue
                    inter = max(0, min(p['end'], g['end']) -
                                max(p['start'], g['start']))
                    union = (p['end'] - p['start']) + (g['end'] -
                                                       g['start']) - inter
                    if inter / union >= theta and inter / union > best_iou:
                        best, best_iou = j, inter / union
                if best is not None:
                    taken[best] = True
                hits.append(best is not None)
            tp = 0
            precisions, recalls = [], []
            for k, hit in enumerate(hits, start=1):
                tp += hit
                precisions.append(tp / k)
                recalls.append(tp / len(cls_gts))
            ap, previous_recall = 0.0, 0.0
            for k, recall in enumerate(recalls):
                ap += (recall - previous_recall) * max(precisions[k:])
                previous_recall = recall
            aps.append(ap)
        maps.append(sum(aps) / len(aps))
    return maps

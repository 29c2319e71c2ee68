"""Named mAP protocols: PKU-MMD's official rules and ActivityNet's
(mmaction's reference) on hand-worked and random cases, and the metric with
each protocol name."""
import numpy as np
import pytest
from mmaction.evaluation.functional.eval_detection import \
    compute_average_precision_detection
from mmaction.registry import METRICS

from snippet_plugin.evaluation.functional import (ALLOWED_PROTOCOLS,
                                                  pkummd_average_precision,
                                                  pkummd_map, pkummd_match,
                                                  pkummd_overlap,
                                                  protocol_map, temporal_map)

CLASSES = ['walk', 'run', 'jump']


def records(rows, with_score=True):
    keys = ('video', 'start', 'end', 'label', 'score')[:5 if with_score else 4]
    return [dict(zip(keys, row)) for row in rows]


def test_pkummd_overlap_hand_cases():
    overlap = pkummd_overlap([[0, 10], [0, 4]], [[5, 15], [6, 10], [0, 10]])
    # [0,10) vs [5,15): (10 - 5) / (15 - 0) = 1/3; vs [6,10): 4/10;
    # vs itself: 1. [0,4) vs [5,15): (4 - 5) / (15 - 0) = -1/15 (disjoint:
    # negative, never a match); vs [6,10): (4 - 6) / 10 = -0.2; vs [0,10): 0.4.
    np.testing.assert_allclose(
        overlap, [[1 / 3, 0.4, 1.0], [-1 / 15, -0.2, 0.4]])


def test_pkummd_ap_three_detections_differs_from_voc():
    # One class, one video, GT g0 = [0,10), g1 = [20,30); theta 0.5.
    # d0 [0,10)  score 0.9 -> g0 (overlap 1)
    # d1 [50,60) score 0.8 -> none
    # d2 [20,26) score 0.7 -> g1 (overlap 6/10)
    gts = records([('v', 0, 10, 0), ('v', 20, 30, 0)], with_score=False)
    preds = records([('v', 0, 10, 0, 0.9), ('v', 50, 60, 0, 0.8),
                     ('v', 20, 26, 0, 0.7)])
    # Official AP: remove the lowest confidence first.
    #   all 3: found 2 -> p = 2/3, r = 1; p_max = 2/3.
    #   remove d2 (matched, g1 now unfound): p = 1/2, r = 1/2;
    #       p_max = 2/3; area += 2/3 * (1 - 1/2) = 1/3.
    #   remove d1 (unmatched): not evaluated.
    #   remove d0: nothing left -> p = r = 0; p_max = 2/3;
    #       area += 2/3 * (1/2 - 0) = 1/3.  AP = 2/3.
    result = pkummd_map(preds, gts, (0.5, ))
    assert result.mean_ap[0] == pytest.approx(2 / 3)
    # VOC: TP (p 1, r 1/2), FP (p 1/2), TP (p 2/3, r 1):
    # envelope 1, 2/3, 2/3 -> AP = 1/2 * 1 + 1/2 * 2/3 = 5/6.
    assert temporal_map(preds, gts, (0.5, )).mean_ap[0] == pytest.approx(5 / 6)
    # The same through the low-level pieces.
    matched = pkummd_match(
        pkummd_overlap([[0, 10], [50, 60], [20, 26]], [[0, 10], [20, 30]]),
        0.5)
    np.testing.assert_array_equal(matched, [0, -1, 1])
    assert pkummd_average_precision([0.9, 0.8, 0.7], matched,
                                    2) == pytest.approx(2 / 3)


def test_pkummd_matching_is_not_exclusive():
    # GT g0 = [0,10), g1 = [4,14); theta 0.5.
    # d0 [0,10) 0.9: g0 1.0, g1 (10-4)/(14-0) = 0.43 -> g0.
    # d1 [1,11) 0.8: g0 (10-1)/(11-0) = 0.82, g1 (11-4)/(14-1) = 0.54 -> g0
    #   again (best overlap, although g0 is taken): a duplicate.
    gts = records([('v', 0, 10, 0), ('v', 4, 14, 0)], with_score=False)
    preds = records([('v', 0, 10, 0, 0.9), ('v', 1, 11, 0, 0.8)])
    # all: found 1 of 2 GT, p = 1/2, r = 1/2; remove d1: p = 1/1, r = 1/2,
    # p_max = 1, area += 0; remove d0: p = r = 0, area += 1 * 1/2 -> 1/2.
    assert pkummd_map(preds, gts, (0.5, )).mean_ap[0] == pytest.approx(0.5)
    # VOC gives d1 the free g1 (IoU 0.54): AP 1.
    assert temporal_map(preds, gts, (0.5, )).mean_ap[0] == pytest.approx(1.0)


def test_pkummd_other_video_or_class_never_matches():
    gts = records([('a', 0, 10, 0)], with_score=False)
    preds = records([('b', 0, 10, 0, 0.9), ('a', 0, 10, 1, 0.8)])
    result = pkummd_map(preds, gts, (0.5, ), num_classes=2)
    assert result.mean_ap[0] == 0.0
    assert np.isnan(result.class_ap[1, 0])  # class 1 has no GT


def reference_anet_map(preds, gts, thresholds):
    """mmaction's ActivityNet AP per class, mean over classes with GT."""
    aps = []
    for cls in sorted({g['label'] for g in gts}):
        gt_c = [{'video-id': g['video'], 't-start': g['start'],
                 't-end': g['end']} for g in gts if g['label'] == cls]
        pred_c = [{'video-id': p['video'], 't-start': p['start'],
                   't-end': p['end'], 'score': p['score']}
                  for p in preds if p['label'] == cls]
        aps.append(compute_average_precision_detection(
            gt_c, pred_c, np.asarray(thresholds)))
    return np.mean(aps, axis=0)


@pytest.mark.parametrize('seed', [0, 1, 2, 3, 4])
def test_anet_equals_mmaction_reference_on_random_data(seed):
    rng = np.random.default_rng(seed)
    thresholds = np.linspace(0.1, 0.9, 9)

    def random_rows(n, scored):
        start = rng.uniform(0, 100, n)
        rows = [(f'v{rng.integers(4)}', s, s + rng.uniform(1, 30),
                 int(rng.integers(3))) for s in start]
        return [r + (float(rng.random()), ) for r in rows] if scored else rows

    gts = records(random_rows(30, False), with_score=False)
    preds = records(random_rows(120, True))
    ours = protocol_map('anet', preds, gts, thresholds, num_classes=3)
    np.testing.assert_allclose(ours.mean_ap,
                               reference_anet_map(preds, gts, thresholds),
                               atol=1e-12)


def test_anet_hand_case_matches_reference():
    # Class 0: 2 GT; ranked TP (IoU 1), FP (other video), then [5,9) vs
    # [5,15) IoU 0.4: at 0.3 a TP -> p 1, 1/2, 2/3; r 1/2, 1/2, 1 ->
    # AP = 1/2 * 1 + 1/2 * 2/3 = 5/6; at 0.5 a FP -> AP 1/2.
    gts = records([('a', 0, 10, 0), ('b', 5, 15, 0)], with_score=False)
    preds = records([('a', 0, 10, 0, 0.9), ('c', 0, 10, 0, 0.8),
                     ('b', 5, 9, 0, 0.7)])
    ours = protocol_map('anet', preds, gts, (0.3, 0.5))
    np.testing.assert_allclose(ours.mean_ap, [5 / 6, 1 / 2])
    np.testing.assert_allclose(reference_anet_map(preds, gts, (0.3, 0.5)),
                               [5 / 6, 1 / 2])


def test_unknown_protocol():
    with pytest.raises(ValueError, match='allowed: voc, pkummd, anet'):
        protocol_map('coco', [], [])
    assert ALLOWED_PROTOCOLS == ('voc', 'pkummd', 'anet')


def tiny_dataset():
    return [
        dict(frame_dir='video_a', gt_segments=[[0, 10, 0], [20, 30, 1]],
             pred_segments=[[0, 10, 0], [22, 30, 1], [40, 50, 0]],
             pred_segment_scores=[0.9, 0.8, 0.7]),
        dict(frame_dir='video_b', gt_segments=[[5, 15, 0]],
             pred_segments=[[5, 9, 0], [0, 5, 2]],
             pred_segment_scores=[0.6, 0.5]),
    ]


# walk (2 GT) and run (1 GT, matched at overlap 0.8 -> AP 1 everywhere);
# jump has no GT. voc/anet walk: 5/6 at theta <= 0.4, 1/2 at 0.5.
# pkummd walk, removal order 0.6 [5,9), 0.7 (unmatched), 0.9 [0,10):
#   theta <= 0.4 ([5,9) vs [5,15) overlaps 0.4): all: p 2/3, r 1; remove 0.6:
#   p 1/2, r 1/2, area 2/3 * 1/2; remove 0.9: area += 2/3 * 1/2 -> 2/3.
#   theta 0.5 ([5,9) unmatched): all: p 1/3, r 1/2; remove 0.9: area
#   1/3 * 1/2 = 1/6.
@pytest.mark.parametrize('protocol, walk_low, walk_high', [
    ('voc', 5 / 6, 1 / 2),
    ('anet', 5 / 6, 1 / 2),
    ('pkummd', 2 / 3, 1 / 6),
])
def test_metric_end_to_end_each_protocol(protocol, walk_low, walk_high):
    metric = METRICS.build(
        dict(type='TemporalLocalizationMetric', protocol=protocol))
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process(None, tiny_dataset())
    metrics = metric.evaluate(size=2)
    low, high = (walk_low + 1) / 2 * 100, (walk_high + 1) / 2 * 100
    expected = {f'tal/mAP@{t}': low for t in (0.1, 0.2, 0.3, 0.4)}
    expected['tal/mAP@0.5'] = high
    expected['tal/mAP_avg'] = (4 * low + high) / 5
    assert metrics == pytest.approx(expected)

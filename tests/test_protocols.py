"""Named mAP protocols: PKU-MMD's official rules and ActivityNet's
(mmaction's reference) on hand-worked and random cases, and the metric with
each protocol name."""
from collections import Counter
from unittest import mock

import numpy as np
import pytest
from mmaction.evaluation.functional import eval_detection
from mmaction.evaluation.functional.eval_detection import \
    compute_average_precision_detection
from mmaction.registry import METRICS

from snippet_plugin.evaluation.functional import (ALLOWED_PROTOCOLS,
                                                  pkummd_average_precision,
                                                  pkummd_map, pkummd_match,
                                                  pkummd_overlap,
                                                  protocol_map, temporal_map)
from snippet_plugin.evaluation.functional.protocols import official_frames
from snippet_plugin.ingest.converters.pkummd import read_pkummd_labels

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


def test_pkummd_overlap_is_on_pkummd_inclusive_frame_numbers(tmp_path):
    # Issue 13's reproducer: PKU-MMD label line "1,0,9,1" (frames 0..9)
    # against a detection of frames 5..14. Official overlap on the file's
    # numbers: (min(9, 14) - max(0, 5)) / (max(9, 14) - min(0, 5)) = 4/14
    # < 0.3, so AP@0.3 = 0; the tIoU of [0, 10) and [5, 15) is 5/15.
    label_file = tmp_path / '0002-L.txt'
    label_file.write_text('1,0,9,1\n')
    segments, _ = read_pkummd_labels(str(label_file), total_frames=20)
    assert segments.tolist() == [[0, 10, 0]]
    gts = records([('0002-L', 0, 10, 0)], with_score=False)
    preds = records([('0002-L', 5, 15, 0, 0.9)])  # frames 5..14
    np.testing.assert_allclose(
        pkummd_overlap(official_frames(np.array([5.]), np.array([15.]),
                                       'inclusive'),
                       official_frames(np.array([0.]), np.array([10.]),
                                       'inclusive')), [[4 / 14]])
    assert pkummd_map(preds, gts, (0.3, )).mean_ap[0] == 0.0
    assert pkummd_map(preds, gts, (0.28, )).mean_ap[0] == 1.0  # 4/14 = 0.286
    assert temporal_map(preds, gts, (0.3, )).mean_ap[0] == 1.0  # tIoU 1/3
    # Labels read as exclusive ends are compared as stored: [0, 10] vs
    # [5, 15]: 5/15.
    assert pkummd_map(preds, gts, (0.3, ),
                      label_end='exclusive').mean_ap[0] == 1.0


def test_pkummd_one_frame_on_the_same_frame_overlaps_fully():
    # Frames 7..7 on both sides: a span of zero, where the official script
    # divides by zero; the two are identical, so the overlap is 1.
    gts = records([('v', 7, 8, 0)], with_score=False)
    preds = records([('v', 7, 8, 0, 0.9), ('v', 6, 8, 0, 0.8)])
    assert pkummd_overlap([[7, 7], [6, 7]], [[7, 7]]).tolist() == [[1.0],
                                                                  [0.0]]
    # Only the first matches: all: p 1/2, r 1; removing 0.8 (unmatched) is
    # not evaluated; removing 0.9: p = r = 0, area 1/2 * 1 -> 1/2.
    assert pkummd_map(preds, gts, (0.5, )).mean_ap[0] == 0.5


def official_pkummd_ap(proposals, grounds, theta):
    """PKU-MMD's evaluate.py (match + ap) for one class, written out by
    hand on its own numbers: proposals ``(start, end, confidence, video)``,
    grounds ``(start, end, video)``, inclusive ends."""
    ranked = sorted(proposals, key=lambda p: p[2])  # lowest first, stable
    chosen = []
    for start, end, _, video in ranked:
        best, best_overlap = -1, None
        for index, (g_start, g_end, g_video) in enumerate(grounds):
            if g_video != video:
                continue
            overlap = ((min(end, g_end) - max(start, g_start)) /
                       (max(end, g_end) - min(start, g_start)))
            if overlap >= theta and (best < 0 or overlap >= best_overlap):
                best, best_overlap = index, overlap
        chosen.append(best)
    hits = Counter(c for c in chosen if c >= 0)
    found, left = len(hits), len(ranked)

    def precision_recall():
        if left == 0 or not grounds:
            return 0.0, 0.0
        return found / left, found / len(grounds)

    best_precision, last_recall = precision_recall()
    area = 0.0
    for index in chosen:
        left -= 1
        if index < 0:
            continue
        hits[index] -= 1
        found -= hits[index] == 0
        precision, recall = precision_recall()
        best_precision = max(best_precision, precision)
        area += best_precision * (last_recall - recall)
        last_recall = recall
    return area


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_pkummd_equals_the_official_rules_on_random_label_files(seed):
    rng = np.random.default_rng(seed)
    thresholds = (0.1, 0.3, 0.5, 0.7)

    def rows(n):  # PKU-MMD numbers: inclusive, at least 2 frames
        start = rng.integers(0, 200, n)
        return [(f'v{rng.integers(3)}', int(s), int(s + rng.integers(1, 60)),
                 int(rng.integers(3))) for s in start]

    gt_rows = rows(25)
    pred_rows = [r + (float(rng.integers(0, 20)) / 20, ) for r in rows(90)]
    # Our segments are half-open: [start, end + 1).
    gts = records([(v, s, e + 1, c) for v, s, e, c in gt_rows],
                  with_score=False)
    preds = records([(v, s, e + 1, c, p) for v, s, e, c, p in pred_rows])
    ours = pkummd_map(preds, gts, thresholds, num_classes=3)
    for cls in range(3):
        grounds = [(s, e, v) for v, s, e, c in gt_rows if c == cls]
        proposals = [(s, e, p, v) for v, s, e, c, p in pred_rows if c == cls]
        expected = [official_pkummd_ap(proposals, grounds, theta)
                    for theta in thresholds]
        np.testing.assert_allclose(ours.class_ap[cls], expected, rtol=0,
                                   atol=1e-12)


def activitynet_iou(candidate_segments, target_segments):
    """ActivityNet's segment IoU in float64 (MMAction2's copy stores it in
    float32): intersection / ((target length + candidate length) -
    intersection), one row per target."""
    start = np.maximum(candidate_segments[0], target_segments[:, 0])
    end = np.minimum(candidate_segments[1], target_segments[:, 1])
    inter = (end - start).clip(0)
    union = ((target_segments[:, 1] - target_segments[:, 0]) +
             (candidate_segments[1] - candidate_segments[0]) - inter)
    return inter.astype(np.float64) / union


def reference_anet_map(preds, gts, thresholds, float64=True):
    """mmaction's ActivityNet AP per class, mean over classes with GT; with
    ActivityNet's float64 IoU unless ``float64`` is False (MMAction2 as
    shipped)."""
    aps = []
    with mock.patch.object(eval_detection, 'pairwise_temporal_iou',
                           activitynet_iou if float64 else
                           eval_detection.pairwise_temporal_iou):
        for cls in sorted({g['label'] for g in gts}):
            gt_c = [{'video-id': g['video'], 't-start': g['start'],
                     't-end': g['end']} for g in gts if g['label'] == cls]
            pred_c = [{'video-id': p['video'], 't-start': p['start'],
                       't-end': p['end'], 'score': p['score']}
                      for p in preds if p['label'] == cls]
            aps.append(compute_average_precision_detection(
                gt_c, pred_c, np.asarray(thresholds)))
    return np.mean(aps, axis=0)


# The two cases of issue 13, which continuous random floats never produce.
# Float32: GT [5, 52), prediction [5, 9.7): IoU 4.7 / 47 is
# 0.09999999999999999 in float64, 0.1 in float32 (AP@0.1: 0 vs 1).
FLOAT32_CASE = ([('float', 5, 52, 0)], [('float', 5, 9.7, 0, 0.5)])
# Ties: GTs [0,10), [10,20); A [5,15) (IoU 1/3 with both, score 0.9), B
# [0,10) (0.8). The reference visits the later GT first for A, so B takes
# [0,10): AP 1 at 0.3; taking the earlier GT for A leaves B nothing: 0.5.
TIE_CASE = ([('tie', 0, 10, 1), ('tie', 10, 20, 1)],
            [('tie', 5, 15, 1, 0.9), ('tie', 0, 10, 1, 0.8)])


def assert_anet_equals_reference(gt_rows, pred_rows, thresholds):
    """'anet' equals MMAction2's evaluator with ActivityNet's float64 IoU
    on the rows plus both cases (in videos of their own), to the summation
    order of the AP."""
    gts = records(gt_rows + FLOAT32_CASE[0] + TIE_CASE[0], with_score=False)
    preds = records(pred_rows + FLOAT32_CASE[1] + TIE_CASE[1])
    ours = protocol_map('anet', preds, gts, thresholds)
    np.testing.assert_allclose(ours.mean_ap,
                               reference_anet_map(preds, gts, thresholds),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize('seed', [0, 1, 2, 3, 4])
def test_anet_equals_mmaction_reference_on_random_data(seed):
    rng = np.random.default_rng(seed)
    thresholds = np.linspace(0.1, 0.9, 9)

    def random_rows(n, scored):
        start = rng.uniform(0, 100, n)
        rows = [(f'v{rng.integers(4)}', s, s + rng.uniform(1, 30),
                 int(rng.integers(3))) for s in start]
        return [r + (float(rng.random()), ) for r in rows] if scored else rows

    assert_anet_equals_reference(random_rows(30, False),
                                 random_rows(120, True), thresholds)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_anet_equals_mmaction_reference_with_many_tied_ious(seed):
    # Integer bounds on a coarse grid, few videos: many GTs of one video
    # tie in IoU with a prediction (three or more at once), where numpy's
    # argsort is not stable.
    rng = np.random.default_rng(seed)
    thresholds = np.array([0.1, 0.2, 0.25, 1 / 3, 0.5])

    def grid_rows(n, scored):
        rows = []
        for _ in range(n):
            start = int(rng.integers(0, 8)) * 5
            rows.append((f'v{rng.integers(2)}', start,
                         start + int(rng.integers(1, 4)) * 5,
                         int(rng.integers(2))))
        return [r + (float(rng.integers(0, 5)) / 4, ) for r in rows] \
            if scored else rows

    assert_anet_equals_reference(grid_rows(40, False), grid_rows(80, True),
                                 thresholds)


def test_anet_iou_is_float64_as_activitynet_computes_it():
    gts, preds = (records(FLOAT32_CASE[0], with_score=False),
                  records(FLOAT32_CASE[1]))
    assert (9.7 - 5) / 47 == 0.09999999999999999
    assert np.float32((9.7 - 5) / 47) == np.float32(0.1)
    assert protocol_map('anet', preds, gts, (0.1, )).mean_ap[0] == 0.0
    assert reference_anet_map(preds, gts, (0.1, ))[0] == 0.0
    # MMAction2 as shipped rounds the IoU up to the threshold:
    assert reference_anet_map(preds, gts, (0.1, ), float64=False)[0] == 1.0


def test_anet_takes_tied_gts_in_the_reference_order():
    gts, preds = (records(TIE_CASE[0], with_score=False),
                  records(TIE_CASE[1]))
    assert protocol_map('anet', preds, gts, (0.3, )).mean_ap[0] == 1.0
    assert reference_anet_map(preds, gts, (0.3, ), float64=False)[0] == 1.0
    # 'voc' keeps the earlier GT: A takes [0,10), B is a duplicate:
    # p 1, 1/2 at r 1/2 -> AP 1/2.
    assert protocol_map('voc', preds, gts, (0.3, )).mean_ap[0] == 0.5


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


# walk (2 GT) and run (1 GT, matched at every theta -> AP 1); jump has no
# GT. voc/anet walk: 5/6 at theta <= 0.4 ([5,9) vs [5,15): IoU 0.4), 1/2 at
# 0.5. pkummd on PKU-MMD's inclusive numbers (label_end 'inclusive'): walk
# GT [0,9] (a), [5,14] (b); proposals [0,9] 0.9, [40,49] 0.7, [5,8] 0.6;
# run [22,29] vs [20,29]: 7/9. [5,8] vs [5,14]: (8 - 5) / (14 - 5) = 1/3.
# Removal order 0.6, 0.7 (unmatched), 0.9:
#   theta <= 0.3 ([5,8] matched): all: p 2/3, r 1; remove 0.6: p 1/2,
#   r 1/2, area 2/3 * 1/2; remove 0.9: area += 2/3 * 1/2 -> 2/3.
#   theta 0.4, 0.5 ([5,8] unmatched): all: p 1/3, r 1/2; remove 0.9: area
#   1/3 * 1/2 = 1/6.
# With label_end 'exclusive' the numbers are [start, end] as stored: [5,9]
# vs [5,15] overlaps 0.4, so theta 0.4 matches too.
@pytest.mark.parametrize('protocol, meta, walk_aps', [
    ('voc', {}, [5 / 6] * 4 + [1 / 2]),
    ('anet', {}, [5 / 6] * 4 + [1 / 2]),
    ('pkummd', {}, [2 / 3] * 3 + [1 / 6] * 2),
    ('pkummd', dict(label_end='inclusive'), [2 / 3] * 3 + [1 / 6] * 2),
    ('pkummd', dict(label_end='exclusive'), [2 / 3] * 4 + [1 / 6]),
])
def test_metric_end_to_end_each_protocol(protocol, meta, walk_aps):
    metric = METRICS.build(
        dict(type='TemporalLocalizationMetric', protocol=protocol))
    metric.dataset_meta = dict(classes=CLASSES, **meta)
    metric.process(None, tiny_dataset())
    metrics = metric.evaluate(size=2)
    maps = [(walk + 1) / 2 * 100 for walk in walk_aps]
    expected = {f'tal/mAP@{t}': value
                for t, value in zip((0.1, 0.2, 0.3, 0.4, 0.5), maps)}
    expected['tal/mAP_avg'] = sum(maps) / 5
    assert metrics == pytest.approx(expected)

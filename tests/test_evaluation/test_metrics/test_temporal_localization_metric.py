"""TemporalLocalizationMetric end to end on a tiny hand-worked dataset: mAP
under each protocol, the per-class table, segmentation scores when frame labels
are predicted, and malformed samples."""
import numpy as np
import pytest
import torch

import snippet_plugin.evaluation.metrics.temporal_localization_metric as tlm
from mmaction.registry import METRICS
from mmaction.structures import ActionDataSample
from snippet_plugin.evaluation import TemporalLocalizationMetric
from snippet_plugin.evaluation.functional import temporal_map
from snippet_plugin.evaluation.metrics import format_ap_table

CLASSES = ['walk', 'run', 'jump']


def sample(frame_dir, gt_segments, pred_segments, pred_scores):
    """A data sample as the model returns it, in mmengine's dict form."""
    data_sample = ActionDataSample(metainfo=dict(frame_dir=frame_dir))
    data_sample.gt_segments = torch.tensor(gt_segments)
    data_sample.pred_segments = np.array(pred_segments, dtype=np.float32)
    data_sample.pred_segment_scores = torch.tensor(pred_scores)
    return data_sample.to_dict()


def tiny_dataset():
    return [
        sample('video_a', [[0, 10, 0], [20, 30, 1]],
               [[0, 10, 0], [22, 30, 1], [40, 50, 0]], [0.9, 0.8, 0.7]),
        sample('video_b', [[5, 15, 0]], [[5, 9, 0], [0, 5, 2]], [0.6, 0.5]),
    ]


def build_metric(**kwargs):
    metric = METRICS.build(dict(type='TemporalLocalizationMetric', **kwargs))
    metric.dataset_meta = dict(classes=CLASSES)
    return metric


def test_registered_and_built_from_config():
    assert isinstance(build_metric(), TemporalLocalizationMetric)


def test_end_to_end_hand_worked():
    metric = build_metric()
    metric.process(None, tiny_dataset())
    metrics = metric.evaluate(size=2)
    # walk: 2 GT; ranked TP (IoU 1), FP (no GT), then [5, 9) vs [5, 15):
    #   IoU 0.4 -> TP for theta <= 0.4: precision 1, 1/2, 2/3, recall
    #   1/2, 1/2, 1 -> AP 5/6; at 0.5 FP: AP 1/2.
    # run: IoU 0.8 -> AP 1. jump: no GT -> not averaged.
    low, high = (5 / 6 + 1) / 2 * 100, (1 / 2 + 1) / 2 * 100
    expected = {f'tal/mAP@{t}': low for t in (0.1, 0.2, 0.3, 0.4)}
    expected['tal/mAP@0.5'] = high
    expected['tal/mAP_avg'] = (4 * low + high) / 5
    assert metrics.keys() == expected.keys()
    for key, value in expected.items():
        assert metrics[key] == pytest.approx(value)


def test_predictions_as_list_of_dicts():
    metric = build_metric(tiou_thresholds=(0.5, ), prefix='loc')
    metric.process(None, [
        dict(frame_dir='a', gt_segments=[[0, 10, 1]],
             pred_segments=[dict(start=0, end=5, label=1, score=0.3),
                            dict(start=0, end=4, label=1, score=0.9)])
    ])
    # [0, 4) has IoU 0.4 < 0.5: FP first, then [0, 5) (IoU 0.5) TP:
    # precision 0, 1/2; recall 0, 1 -> AP 1/2.
    assert metric.evaluate(size=1) == pytest.approx({
        'loc/mAP@0.5': 50.0,
        'loc/mAP_avg': 50.0
    })


def test_sample_without_predictions():
    metric = build_metric(tiou_thresholds=(0.5, ))
    metric.process(None, [
        dict(frame_dir='a', gt_segments=np.array([[0, 10, 0]]),
             pred_segments=np.zeros((0, 3)),
             pred_segment_scores=np.zeros(0))
    ])
    assert metric.compute_metrics(metric.results)['mAP@0.5'] == 0.0


def test_logs_the_per_class_table(monkeypatch):
    logged = []
    monkeypatch.setattr(tlm, 'print_log',
                        lambda message, **kwargs: logged.append(message))
    metric = build_metric()
    metric.process(None, tiny_dataset())
    metric.compute_metrics(metric.results)
    assert len(logged) == 1
    lines = logged[0].strip().splitlines()
    assert lines[0].split() == ['class', '#gt', '#pred', 'AP@0.1', 'AP@0.2',
                                'AP@0.3', 'AP@0.4', 'AP@0.5']
    rows = {line.split()[0]: line.split()[1:] for line in lines
            if not line.startswith('-')}
    assert rows['walk'] == ['2', '3'] + ['83.33'] * 4 + ['50.00']
    assert rows['run'] == ['1', '1'] + ['100.00'] * 5
    assert rows['jump'] == ['0', '1'] + ['-'] * 5
    assert rows['mean'] == ['3', '5'] + ['91.67'] * 4 + ['75.00']


def test_format_ap_table_without_class_names():
    result = temporal_map([], [dict(video='a', start=0, end=1, label=1)],
                          (0.5, ))
    table = format_ap_table(result)
    assert [line.split()[0] for line in table.splitlines()
            if not line.startswith('-')] == ['class', '0', '1', 'mean']


def test_unknown_protocol_names_the_allowed_ones():
    # 'pkummd' was the unknown name here before it became a protocol.
    with pytest.raises(ValueError, match='allowed: voc, pkummd, anet'):
        TemporalLocalizationMetric(protocol='thumos14')


@pytest.mark.parametrize('bad_sample, error', [
    (dict(gt_segments=[[0, 1, 0]], pred_segments=[]), KeyError),
    (dict(frame_dir='a', gt_segments=[[0, 1, 0]],
          pred_segments=[[0, 1, 0]]), KeyError),
    (dict(frame_dir='a', gt_segments=[[0, 1]], pred_segments=[]), ValueError),
    (dict(frame_dir='a', gt_segments=[], pred_segments=[[0, 1, 0]],
          pred_segment_scores=[0.1, 0.2]), ValueError),
])
def test_malformed_samples_raise(bad_sample, error):
    with pytest.raises(error):
        build_metric().process(None, [bad_sample])


def test_one_sample_per_video():
    metric = build_metric()
    metric.process(None, tiny_dataset() + tiny_dataset()[:1])
    with pytest.raises(ValueError, match='video_a'):
        metric.compute_metrics(metric.results)


def test_label_outside_dataset_classes_raises():
    metric = build_metric()
    metric.process(None, [
        dict(frame_dir='a', gt_segments=[[0, 10, 3]], pred_segments=[])
    ])
    with pytest.raises(ValueError, match='num_classes=3'):
        metric.compute_metrics(metric.results)


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


def test_unsmoothed_option_scores_the_unsmoothed_predictions():
    """``unsmoothed=True`` reads ``unsmoothed_*`` where a sample has them
    (the paper's post-processing), else the sample's plain predictions."""
    smoothed = sample('video_a', [[0, 10, 0], [20, 30, 1]],
                      [[0, 10, 0], [20, 30, 1]], [0.9, 0.8])
    smoothed.update(unsmoothed_pred_segments=np.array([[40, 50, 0]]),
                    unsmoothed_pred_segment_scores=np.array([0.5]))
    plain = sample('video_b', [[5, 15, 0]], [[5, 15, 0]], [0.6])
    paper = build_metric(unsmoothed=True)
    paper.process(None, [smoothed, plain])
    final = build_metric()
    final.process(None, [smoothed, plain])
    # final: every GT found first -> 100. paper: walk ranks the FP [40, 50)
    # below [5, 15) of video_b (TP): AP = 1/2 (one of 2 GT); run: no
    # prediction, AP 0
    assert final.evaluate(2)['tal/mAP_avg'] == pytest.approx(100.0)
    assert paper.evaluate(2)['tal/mAP_avg'] == pytest.approx(25.0)

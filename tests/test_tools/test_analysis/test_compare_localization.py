"""tools/analysis/compare_localization.py: the side-by-side table scores each
model from its dump, malformed --result arguments are refused, and the timeline
figure draws the truth and every model."""
import numpy as np
import pytest

from localizer_fixtures import CLASSES


def test_compare_table_scores_each_model_from_its_dump(load_tool):
    compare = load_tool('analysis/compare_localization')
    gt = np.array([[0, 10, 0], [20, 30, 1]])
    perfect = [dict(frame_dir='v', gt_segments=gt, pred_segments=gt,
                    pred_segment_scores=np.array([0.9, 0.8]))]
    # class 0 found at IoU 5/15 = 1/3 only, class 1 missed
    partial = [dict(frame_dir='v', gt_segments=gt,
                    pred_segments=np.array([[5, 15, 0]]),
                    pred_segment_scores=np.array([0.7]))]
    table = compare.map_table(dict(good=perfect, half=partial), ['a', 'b'])
    rows = {line.split()[0]: line.split()[1:] for line in
            table.splitlines()[2:]}
    assert rows['good'] == ['100.0'] * 6
    # mAP (AP_0 + AP_1) / 2 = (1 + 0) / 2 at 0.1-0.3, 0 above 1/3; avg 30
    assert rows['half'] == ['50.0', '50.0', '50.0', '0.0', '0.0', '30.0']


def test_compare_refuses_malformed_result_arguments(load_tool):
    compare = load_tool('analysis/compare_localization')
    assert compare.parse_results(['a=x.pkl', 'b c=y=z.pkl']) == {
        'a': 'x.pkl', 'b c': 'y=z.pkl'}
    with pytest.raises(ValueError, match='expected NAME=DUMP'):
        compare.parse_results(['no_equals_sign'])


def test_compare_tool_draws_truth_and_every_model(tmp_path, load_tool,
                                                  monkeypatch):
    compare = load_tool('analysis/compare_localization')
    drawn = []
    real = compare.plot_label_timelines
    monkeypatch.setattr(compare, 'plot_label_timelines',
                        lambda rows, classes, title: drawn.append(
                            rows) or real(rows, classes, title))
    dump = [dict(frame_dir='v', total_frames=6,
                 gt_segments=np.array([[1, 3, 0]]),
                 pred_frame_labels=np.array([2, 0, 0, 1, 1, 2]))]
    other = [dict(dump[0], pred_frame_labels=np.full(6, 2))]
    out = tmp_path / 'fig4.png'
    compare.draw_timelines(dict(A=dump, B=other), CLASSES, 'v', str(out))
    assert out.is_file()
    [rows] = drawn
    assert [(name, labels.tolist()) for name, labels in rows] == [
        ('ground truth', [2, 0, 0, 2, 2, 2]), ('A', [2, 0, 0, 1, 1, 2]),
        ('B', [2] * 6)]

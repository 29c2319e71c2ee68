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
    # window, mAP@0.1..0.5, avg, no frame labels (5 x '-'), segments
    assert rows['good'] == ['-'] + ['100.0'] * 6 + ['-'] * 5 + ['2']
    # mAP (AP_0 + AP_1) / 2 = (1 + 0) / 2 at 0.1-0.3, 0 above 1/3; avg 30
    assert rows['half'] == (['-', '50.0', '50.0', '50.0', '0.0', '0.0',
                             '30.0'] + ['-'] * 5 + ['1'])


def test_compare_tables_show_both_protocols(load_tool):
    """A smoothed dump is scored as smoothed and, from the predictions kept
    beside them, under the paper's post-processing."""
    compare = load_tool('analysis/compare_localization')
    gt = np.array([[0, 10, 0], [20, 30, 1]])
    smoothed = [dict(frame_dir='v', gt_segments=gt, pred_segments=gt,
                     pred_segment_scores=np.array([0.9, 0.8]),
                     smoothing_s=0.5,
                     unsmoothed_pred_segments=np.array(
                         [[0, 4, 0], [5, 10, 0], [20, 30, 1]]),
                     unsmoothed_pred_segment_scores=np.array(
                         [0.9, 0.8, 0.7]))]
    text = compare.protocol_tables(dict(ours=smoothed), ['a', 'b'])
    smoothed_part, paper_part = text.split('\n\n')
    assert smoothed_part.startswith('smoothed (window chosen on training')
    assert paper_part.startswith("paper's post-processing (unsmoothed)")
    smooth_row = smoothed_part.splitlines()[-1].split()
    paper_row = paper_part.splitlines()[-1].split()
    assert smooth_row[1:3] == ['0.5', 's'] and smooth_row[-1] == '2'
    assert paper_row[1] == '-' and paper_row[-1] == '3'
    # paper: class a's GT [0, 10) overlaps [5, 10) at IoU 0.5 and [0, 4) at
    # 0.4, the first-ranked [0, 4) matches below 0.5: AP 1 at 0.1-0.4; at
    # 0.5 [5, 10) matches second: AP 1/2; class b: 1 -> avg (4 + .75) / 5
    assert paper_row[-7] == f'{100 * (4 + 0.75) / 5:.1f}'
    unsmoothed_only = compare.protocol_tables(
        dict(paper=[dict(smoothed[0], smoothing_s=None)]), ['a', 'b'])
    assert unsmoothed_only.startswith("paper's post-processing")


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

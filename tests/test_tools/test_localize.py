"""tools/localize.py --sample on a file whose classes are not the model's:
the ground truth is drawn and written under its own class names, and the
tool says that the classes differ."""
import json

from helpers import labelled_sample, write_annotation_file
from localizer_fixtures import rounded_skeleton, write_localizer_files


def test_file_classes_are_mapped_by_name_and_the_difference_printed(
        tmp_path, load_tool, monkeypatch, capsys):
    config, checkpoint = write_localizer_files(tmp_path)
    pkl = tmp_path / 'pku.pkl'
    file_classes = ['kick', 'walk', 'eat meal/snack']  # model: walk, kick
    write_annotation_file(pkl, [labelled_sample(
        'seq', rounded_skeleton(45, seed=5), [[10, 30, 0], [30, 40, 2]], 3)],
        file_classes, dict(val=['seq']))
    tool = load_tool('localize')
    drawn = []

    def record(rows, classes, title=None):
        drawn.append((rows, classes))

    monkeypatch.setattr(tool, 'plot_label_timelines', record)
    monkeypatch.setattr(tool, 'save_figure', lambda figure, path: path)
    tool.main([config, checkpoint, str(pkl), '--sample', 'seq',
               '--out-dir', str(tmp_path / 'out')])
    written = json.loads((tmp_path / 'out' / 'seq.json').read_text())
    assert written['gt_classes'] == ['walk', 'kick', 'eat meal/snack']
    assert written['gt_segments'] == [[10, 30, 1], [30, 40, 2]]
    [(rows, classes)] = drawn
    assert classes == ['walk', 'kick', 'eat meal/snack']
    truth = rows[0][1].tolist()
    assert truth == [3] * 10 + [1] * 20 + [2] * 10 + [3] * 5  # bg is 3
    prediction = rows[1][1]
    assert set(prediction.tolist()) <= {0, 1, 3}  # model's bg 2 -> 3
    printed = capsys.readouterr().out.splitlines()
    assert (f"note: {pkl}, sample 'seq': the file's 3 classes differ from "
            "the model's 2; ground truth mapped by name: 2 of the file's "
            "classes are the model's (2 with another id); not among the "
            "model's classes, drawn under their own names: 'eat meal/snack' "
            '(1 segment(s))') in printed


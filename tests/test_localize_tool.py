"""tools/localize.py writes the JSON that inference_localizer computes and a
timeline PNG with a ground-truth row exactly when the input has segments."""
import json

import matplotlib.image
import numpy as np
import pytest

from helpers import labelled_sample, write_annotation_file
from localizer_fixtures import (CLASSES, FPS, rounded_skeleton,
                                write_localizer_files)
from snippet_plugin.apis import inference_localizer, init_localizer


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Config file, checkpoint, an annotation pkl (sample 'seq', with a
    segment) and a .npy of the same motion."""
    folder = tmp_path_factory.mktemp('localize')
    config, checkpoint = write_localizer_files(folder)
    keypoint = rounded_skeleton(53, seed=5)
    pkl = folder / 'ann.pkl'
    write_annotation_file(pkl, [labelled_sample('seq', keypoint,
                                                [[10, 30, 0]], 2)],
                          CLASSES, dict(val=['seq']))
    npy = folder / 'take_01.npy'
    np.save(npy, keypoint[0])
    return folder, config, checkpoint, pkl, npy


def run_tool(load_tool, monkeypatch, argv):
    """Run the tool; return the row names of each timeline drawn."""
    tool = load_tool('localize')
    drawn = []
    real = tool.plot_label_timelines

    def recording(rows, classes, title=None):
        drawn.append([name for name, _ in rows])
        return real(rows, classes, title)

    monkeypatch.setattr(tool, 'plot_label_timelines', recording)
    tool.main(argv)
    return drawn


def test_json_matches_the_api_and_png_has_the_truth_row(
        setup, load_tool, monkeypatch, capsys):
    folder, config, checkpoint, pkl, _ = setup
    out = folder / 'out_pkl'
    drawn = run_tool(load_tool, monkeypatch,
                     [config, checkpoint, str(pkl), '--sample', 'seq',
                      '--out-dir', str(out), '--print-min-score', '0'])
    written = json.loads((out / 'seq.json').read_text())
    model = init_localizer(config, checkpoint)
    expected = inference_localizer(model, str(pkl), sample='seq').to_dict()
    assert written == expected
    assert written['segments'] and written['num_frames'] == 53
    assert written['gt_segments'] == [[10, 30, 0]]
    segment = written['segments'][0]
    assert segment['start_sec'] == segment['start_frame'] / FPS
    assert drawn == [['ground truth', 'prediction']]
    image = matplotlib.image.imread(out / 'seq_timeline.png')
    assert image.ndim == 3 and image.shape[1] > image.shape[0] > 50
    printed = capsys.readouterr().out
    assert f'seq: {len(written["segments"])} segment(s) in 53 frames' in \
        printed
    assert f'{segment["label"]}' in printed and 'wrote' in printed


def test_printed_table_keeps_the_segments_above_the_score(
        setup, load_tool):
    folder, config, checkpoint, pkl, npy = setup
    model = init_localizer(config, checkpoint)
    result = inference_localizer(model, str(pkl), sample='seq')
    scores = sorted(seg['score'] for seg in result.segments)
    threshold = scores[len(scores) // 2]
    table = load_tool('localize').segment_table(result, threshold)
    expected = sum(score >= threshold for score in scores)
    assert len(table.splitlines()) == 2 + expected
    assert f'{expected} with score >= {threshold:g}' in table


def test_input_without_segments_has_only_the_prediction_row(
        setup, load_tool, monkeypatch):
    folder, config, checkpoint, pkl, npy = setup
    out = folder / 'out_npy'
    drawn = run_tool(load_tool, monkeypatch,
                     [config, checkpoint, str(npy), '--out-dir', str(out),
                      '--fps', '10'])
    written = json.loads((out / 'take_01.json').read_text())
    assert drawn == [['prediction']]
    assert 'gt_segments' not in written and written['fps'] == 10
    for segment in written['segments']:
        assert segment['end_sec'] == segment['end_frame'] / 10
    image = matplotlib.image.imread(out / 'take_01_timeline.png')
    assert image.shape[1] > image.shape[0] > 50


def test_bad_input_exits_with_the_reason(setup, load_tool, tmp_path):
    _, config, checkpoint, _, _ = setup
    bad = tmp_path / 'clip.csv'
    bad.write_text('x')
    with pytest.raises(SystemExit, match="clip.csv: unknown skeleton file "
                       "format '.csv'"):
        load_tool('localize').main([config, checkpoint, str(bad)])

"""tools/data/prepare_pkummd.py: the prepared file's frames, labels, background
and splits, a round trip through the dataset, plain id lists and class names,
missing files as an error or a skip list, and the per-class table."""
import numpy as np
import pytest

from snippet_plugin.datasets import UntrimmedPoseDataset
from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.evaluation.functional import labels_to_segments
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.pkummd import (PKUMMD_CLASSES,
                                                     convert_pkummd,
                                                     parse_split_file)
from helpers import encoded_joints, write_pkummd_labels, write_pkummd_skeleton

K = 51
BACKGROUND = K


def prepare(load_tool, raw, *extra):
    out = raw / 'pkummd.pkl'
    load_tool('data/prepare_pkummd').main([
        '--skeleton-dir', str(raw / 'skeleton'), '--label-dir',
        str(raw / 'label'), '--split-file', str(raw / 'cross-subject.txt'),
        '--out', str(out), *extra
    ])
    return out


def test_prepared_file_frames_labels_background_and_splits(
        pkummd_raw, load_tool):
    data = load_annotations(str(prepare(load_tool, pkummd_raw)))
    assert data['meta']['classes'] == list(PKUMMD_CLASSES)
    assert data['meta']['fps'] == 30 and data['meta']['layout'] == 'nturgb+d'
    assert data['split'] == {'train': ['0002-L', '0002-M'], 'val': ['0005-R']}
    samples = {s['frame_dir']: s for s in data['annotations']}
    first = samples['0002-L']
    assert first['total_frames'] == 40 and first['keypoint'].shape == (2, 40,
                                                                       25, 3)
    assert not first['keypoint'][1].any()
    expected = np.full(40, BACKGROUND)
    expected[5:10] = 2
    expected[20:30] = 50
    np.testing.assert_array_equal(first['frame_labels'], expected)
    assert first['label'] == [2, 50]
    second = samples['0002-M']
    # Sorted by start: "1,0,0" is the single frame 0 -> [0, 1) class 0;
    # "12,25,29" ends on the last frame (29 of 0..29) -> [25, 30) class 11.
    assert second['segments'] == [[0, 1, 0], [25, 30, 11]]
    assert second['frame_labels'][0] == 0
    assert (second['frame_labels'][1:25] == BACKGROUND).all()
    assert samples['0005-R']['segments'] == [[2, 5, 6]]


def test_round_trip_through_the_dataset_recovers_the_segments(pkummd_raw,
                                                              load_tool):
    out = prepare(load_tool, pkummd_raw)
    dataset = UntrimmedPoseDataset(str(out), split='train',
                                   label_mode='frame')
    recovered = {
        item['frame_dir']: labels_to_segments(item['frame_labels'],
                                              BACKGROUND).tolist()
        for item in (dataset.get_data_info(i) for i in range(len(dataset)))
    }
    assert recovered == {'0002-L': [[5, 10, 2], [20, 30, 50]],
                         '0002-M': [[0, 1, 0], [25, 30, 11]]}
    assert dataset.metainfo['background_id'] == BACKGROUND


def test_plain_id_lists_and_class_names_file(pkummd_raw, load_tool):
    (pkummd_raw / 'train.txt').write_text('0005-R\n')
    (pkummd_raw / 'val.txt').write_text('0002-L, 0002-M')
    names = pkummd_raw / 'names.txt'
    names.write_text(''.join(f'action_{i:02d}\n' for i in range(1, 52)))
    out = pkummd_raw / 'plain.pkl'
    load_tool('data/prepare_pkummd').main([
        '--skeleton-dir', str(pkummd_raw / 'skeleton'), '--label-dir',
        str(pkummd_raw / 'label'), '--train-list',
        str(pkummd_raw / 'train.txt'), '--val-list',
        str(pkummd_raw / 'val.txt'), '--class-names', str(names),
        '--out', str(out)
    ])
    data = load_annotations(str(out))
    assert data['split'] == {'train': ['0005-R'], 'val': ['0002-L', '0002-M']}
    assert data['meta']['classes'][0] == 'action_01'
    assert data['meta']['classes'][50] == 'action_51'


def test_missing_files_error_or_skip_list(pkummd_raw, load_tool, capsys):
    (pkummd_raw / 'label' / '0002-M.txt').unlink()
    (pkummd_raw / 'skeleton' / '0005-R.txt').unlink()
    with pytest.raises(RawDataError) as error:
        convert_pkummd(str(pkummd_raw / 'skeleton'), str(pkummd_raw / 'label'),
                       parse_split_file(str(pkummd_raw / 'cross-subject.txt')))
    assert '2 listed video(s)' in str(error.value)
    assert '0002-M: no label file' in str(error.value)
    assert '0005-R: no skeleton file' in str(error.value)
    write_pkummd_skeleton(pkummd_raw / 'skeleton' / '0005-R.txt',
                          encoded_joints(12, 200))
    out = prepare(load_tool, pkummd_raw, '--on-missing', 'skip')
    data = load_annotations(str(out))
    assert data['split'] == {'train': ['0002-L'], 'val': ['0005-R']}
    printed = capsys.readouterr().out
    assert 'skipped 1 video(s)' in printed
    assert '0002-M: no label file' in printed


def test_cli_reports_the_error_and_per_class_table(pkummd_raw, load_tool,
                                                   capsys):
    prepare(load_tool, pkummd_raw)
    table = capsys.readouterr().out
    assert 'train: 2 videos, 70 frames' in table
    assert 'val: 1 videos, 12 frames' in table
    # Class 11 "handshaking": one instance in train, none in val.
    assert any(line.split()[0] == '11' and line.split()[-2:] == ['1', '0']
               for line in table.splitlines() if line.strip())
    write_pkummd_labels(pkummd_raw / 'label' / '0005-R.txt', [(7, 2, 4, 1),
                                                              (7, 8, 12, 1)])
    with pytest.raises(SystemExit) as stop:
        prepare(load_tool, pkummd_raw)
    assert '0005-R.txt, line 2' in str(stop.value)
    assert 'past the last frame' in str(stop.value)

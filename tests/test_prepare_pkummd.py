"""PKU-MMD converter: raw skeleton/label/split files (generated here in the
exact published formats) -> annotation file, and every bad-input error."""
import numpy as np
import pytest

from snippet_plugin.datasets import UntrimmedPoseDataset
from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.pkummd import (PKUMMD_CLASSES,
                                                       convert_pkummd,
                                                       parse_split_file,
                                                       read_id_list,
                                                       read_pkummd_labels,
                                                       read_pkummd_skeleton)
from snippet_plugin.evaluation.functional import labels_to_segments
from helpers import write_pkummd_skeleton

K = 51
BACKGROUND = K


def body_values(frames, offset):
    """``(T, 25, 3)`` coordinates that encode their own frame, joint, axis:
    ``offset + t + v / 100 + c / 1000`` (exact at 4 decimals)."""
    t, v, c = np.meshgrid(np.arange(frames), np.arange(25), np.arange(3),
                          indexing='ij')
    return offset + t + v / 100 + c / 1000


def write_labels(path, rows):
    """A PKU-MMD label file: ``label,start,end,confidence`` per line."""
    with open(path, 'w') as f:
        f.write(''.join(f'{",".join(map(str, row))}\n' for row in rows))


@pytest.fixture
def raw(tmp_path):
    """Three videos: 0002-L (1 body, 40 frames), 0002-M (2 bodies, the
    second in frames 10..19 only, 30 frames), 0005-R (1 body, 12 frames);
    an official-style split file with 0002-L, 0002-M training."""
    skeletons, labels = tmp_path / 'skeleton', tmp_path / 'label'
    skeletons.mkdir()
    labels.mkdir()
    write_pkummd_skeleton(skeletons / '0002-L.txt', body_values(40, 0))
    second = body_values(30, 500)
    second[:10] = 0
    second[20:] = 0
    write_pkummd_skeleton(skeletons / '0002-M.txt', body_values(30, 100),
                          second)
    write_pkummd_skeleton(skeletons / '0005-R.txt', body_values(12, 200))
    write_labels(labels / '0002-L.txt', [(3, 5, 9, 1), (51, 20, 29, 2)])
    write_labels(labels / '0002-M.txt', [(12, 25, 29, 1), (1, 0, 0, 2)])
    write_labels(labels / '0005-R.txt', [(7, 2, 4, 1)])
    split = tmp_path / 'cross-subject.txt'
    split.write_text('Training videos: \n0002-L, 0002-M, \n'
                     'Validataion videos: \n0005-R\n')
    return tmp_path


def prepare(load_tool, raw, *extra):
    out = raw / 'pkummd.pkl'
    load_tool('data/prepare_pkummd').main([
        '--skeleton-dir', str(raw / 'skeleton'), '--label-dir',
        str(raw / 'label'), '--split-file', str(raw / 'cross-subject.txt'),
        '--out', str(out), *extra
    ])
    return out


def test_skeleton_lines_become_frames_with_each_body_in_place(raw):
    keypoint = read_pkummd_skeleton(str(raw / 'skeleton' / '0002-M.txt'))
    assert keypoint.shape == (2, 30, 25, 3) and keypoint.dtype == np.float32
    # Frame 12, joint 7, z of body 1: 100 + 12 + 0.07 + 0.002.
    assert keypoint[0, 12, 7, 2] == pytest.approx(112.072, abs=1e-4)
    assert keypoint[1, 15, 24, 0] == pytest.approx(515.24, abs=1e-4)
    assert not keypoint[1, :10].any() and not keypoint[1, 20:].any()
    assert keypoint[1, 10:20].all()


def test_inclusive_end_becomes_half_open_and_labels_zero_based(raw):
    segments, notes = read_pkummd_labels(str(raw / 'label' / '0002-L.txt'),
                                         total_frames=40)
    # "3,5,9" covers frames 5..9 -> [5, 10) class 2; "51,20,29" -> [20, 30).
    assert segments.tolist() == [[5, 10, 2], [20, 30, 50]]
    assert notes == []
    exclusive, _ = read_pkummd_labels(str(raw / 'label' / '0002-L.txt'),
                                      total_frames=40, end_inclusive=False)
    assert exclusive.tolist() == [[5, 9, 2], [20, 29, 50]]


def test_prepared_file_frames_labels_background_and_splits(raw, load_tool):
    data = load_annotations(str(prepare(load_tool, raw)))
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


def test_round_trip_through_the_dataset_recovers_the_segments(raw,
                                                              load_tool):
    out = prepare(load_tool, raw)
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


def test_official_split_file_both_spellings_several_lines(tmp_path):
    path = tmp_path / 'cross-view.txt'
    path.write_text('Training videos:\n0002-L, 0002-M,\n0003-L,\n'
                    'Validation videos:\n0004-R , 0005-R,\n')
    assert parse_split_file(str(path)) == {
        'train': ['0002-L', '0002-M', '0003-L'],
        'val': ['0004-R', '0005-R']
    }
    path.write_text('0002-L 0002-M')
    with pytest.raises(RawDataError, match='cross-view.txt: expected one'):
        parse_split_file(str(path))
    plain = tmp_path / 'ids.txt'
    plain.write_text('0002-L, 0002-M\n0003-L 0002-L\n')
    assert read_id_list(str(plain)) == ['0002-L', '0002-M', '0003-L']


def test_plain_id_lists_and_class_names_file(raw, load_tool):
    (raw / 'train.txt').write_text('0005-R\n')
    (raw / 'val.txt').write_text('0002-L, 0002-M')
    names = raw / 'names.txt'
    names.write_text(''.join(f'action_{i:02d}\n' for i in range(1, 52)))
    out = raw / 'plain.pkl'
    load_tool('data/prepare_pkummd').main([
        '--skeleton-dir', str(raw / 'skeleton'), '--label-dir',
        str(raw / 'label'), '--train-list', str(raw / 'train.txt'),
        '--val-list', str(raw / 'val.txt'), '--class-names', str(names),
        '--out', str(out)
    ])
    data = load_annotations(str(out))
    assert data['split'] == {'train': ['0005-R'], 'val': ['0002-L', '0002-M']}
    assert data['meta']['classes'][0] == 'action_01'
    assert data['meta']['classes'][50] == 'action_51'


def test_video_in_both_splits_is_refused(raw):
    with pytest.raises(RawDataError, match="'0002-L' is listed in both"):
        convert_pkummd(str(raw / 'skeleton'), str(raw / 'label'),
                       dict(train=['0002-L'], val=['0005-R', '0002-L']))


@pytest.mark.parametrize('line, message', [
    ('3,5,9', None),
    ('0,5,9,1', 'line 2 .*label 0 outside 1..51'),
    ('52,5,9,1', 'line 2 .*label 52 outside 1..51'),
    ('3,9,5,1', r'line 2 .*start > end'),
    ('3,-1,5,1', 'line 2 .*negative start'),
    ('3,5,x,1', 'line 2 .*must be integers'),
    ('3,5', 'line 2 .*got 2 field'),
    ('3,30,40,1', 'line 2 .*past the last frame'),
])
def test_bad_label_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / '0009-L.txt'
    path.write_text(f'1,0,3,1\n{line}\n')
    if message is None:
        segments, _ = read_pkummd_labels(str(path), total_frames=40)
        assert segments.tolist() == [[0, 4, 0], [5, 10, 2]]
        return
    with pytest.raises(RawDataError, match=f'0009-L.txt, {message}'):
        read_pkummd_labels(str(path), total_frames=40)


def test_end_past_the_last_frame_tolerance_clips_with_a_note(tmp_path):
    path = tmp_path / '0009-L.txt'
    path.write_text('4,30,40,1\n')
    # Inclusive end 40 = frame 40 of a 40-frame video (0..39): one past.
    with pytest.raises(RawDataError, match=r'0009-L.txt, line 1 .*end = 40'):
        read_pkummd_labels(str(path), total_frames=40)
    segments, notes = read_pkummd_labels(str(path), total_frames=40,
                                         end_tolerance=1)
    assert segments.tolist() == [[30, 40, 3]]
    assert len(notes) == 1 and 'clipped by 1 frame' in notes[0]
    # The last frame itself is inside, exclusive ends may reach T.
    path.write_text('4,30,39,1\n')
    assert read_pkummd_labels(str(path), 40)[0].tolist() == [[30, 40, 3]]
    path.write_text('4,30,40,1\n')
    assert read_pkummd_labels(str(path), 40, end_inclusive=False)[0].tolist(
    ) == [[30, 40, 3]]


def test_bad_skeleton_lines_name_file_and_line(tmp_path):
    path = tmp_path / '0009-L.txt'
    good = ' '.join(['0.5'] * 150)
    path.write_text(f'{good}\n{good}\n{" ".join(["0.5"] * 149)}\n')
    with pytest.raises(RawDataError,
                       match='0009-L.txt, line 3: 149 values, expected 150'):
        read_pkummd_skeleton(str(path))
    path.write_text(f'{good}\n{" ".join(["nan"] + ["0.5"] * 149)}\n')
    with pytest.raises(RawDataError,
                       match=r'0009-L.txt, line 2 \(frame 1\): NaN'):
        read_pkummd_skeleton(str(path))
    path.write_text(f'{good}\n{" ".join(["abc"] + ["0.5"] * 149)}\n')
    with pytest.raises(RawDataError, match='0009-L.txt, line 2: not a num'):
        read_pkummd_skeleton(str(path))
    path.write_text('\n')
    with pytest.raises(RawDataError, match='0009-L.txt: empty skeleton'):
        read_pkummd_skeleton(str(path))


def test_missing_files_error_or_skip_list(raw, load_tool, capsys):
    (raw / 'label' / '0002-M.txt').unlink()
    (raw / 'skeleton' / '0005-R.txt').unlink()
    with pytest.raises(RawDataError) as error:
        convert_pkummd(str(raw / 'skeleton'), str(raw / 'label'),
                       parse_split_file(str(raw / 'cross-subject.txt')))
    assert '2 listed video(s)' in str(error.value)
    assert '0002-M: no label file' in str(error.value)
    assert '0005-R: no skeleton file' in str(error.value)
    write_pkummd_skeleton(raw / 'skeleton' / '0005-R.txt',
                          body_values(12, 200))
    out = prepare(load_tool, raw, '--on-missing', 'skip')
    data = load_annotations(str(out))
    assert data['split'] == {'train': ['0002-L'], 'val': ['0005-R']}
    printed = capsys.readouterr().out
    assert 'skipped 1 video(s)' in printed
    assert '0002-M: no label file' in printed


def test_cli_reports_the_error_and_per_class_table(raw, load_tool, capsys):
    prepare(load_tool, raw)
    table = capsys.readouterr().out
    assert 'train: 2 videos, 70 frames' in table
    assert 'val: 1 videos, 12 frames' in table
    # Class 11 "handshaking": one instance in train, none in val.
    assert any(line.split()[0] == '11' and line.split()[-2:] == ['1', '0']
               for line in table.splitlines() if line.strip())
    write_labels(raw / 'label' / '0005-R.txt', [(7, 2, 4, 1), (7, 8, 12, 1)])
    with pytest.raises(SystemExit) as stop:
        prepare(load_tool, raw)
    assert '0005-R.txt, line 2' in str(stop.value)
    assert 'past the last frame' in str(stop.value)

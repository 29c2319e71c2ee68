"""PKU-MMD converter: raw skeleton, label and split files (generated in the
exact published formats, helpers.write_pkummd_world) -> frames, half-open
segments and splits, and every bad-input error; a label file without any action
is refused unless allowed, and a skip that would empty a split is refused."""
import numpy as np
import pytest

from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.pkummd import (convert_pkummd,
                                                     parse_split_file,
                                                     read_id_list,
                                                     read_pkummd_labels,
                                                     read_pkummd_skeleton)
from helpers import write_pkummd_skeleton


@pytest.fixture
def raw(tmp_path):
    """Videos 0002-L (train) and 0005-R (val), 6 frames each."""
    for folder in ('skeleton', 'label'):
        (tmp_path / folder).mkdir()
    for video in ('0002-L', '0005-R'):
        write_pkummd_skeleton(tmp_path / 'skeleton' / f'{video}.txt',
                              np.ones((6, 25, 3)))
        (tmp_path / 'label' / f'{video}.txt').write_text('3,1,4,1\n')
    return tmp_path


def convert(raw, **kwargs):
    return convert_pkummd(str(raw / 'skeleton'), str(raw / 'label'),
                          dict(train=['0002-L'], val=['0005-R']), **kwargs)


def test_an_empty_label_file_is_refused(raw):
    (raw / 'label' / '0005-R.txt').write_text('\n')
    with pytest.raises(RawDataError, match=r'0005-R\.txt: no action in the '
                       'label file; its video would be all background. Pass '
                       '--allow-empty-labels if it has none'):
        convert(raw)


def test_an_empty_label_file_is_all_background_when_allowed(raw, load_tool):
    (raw / 'label' / '0005-R.txt').write_text('')
    (raw / 'train.txt').write_text('0002-L')
    (raw / 'val.txt').write_text('0005-R')
    out = raw / 'pku.pkl'
    load_tool('data/prepare_pkummd').main([
        '--skeleton-dir', str(raw / 'skeleton'), '--label-dir',
        str(raw / 'label'), '--train-list', str(raw / 'train.txt'),
        '--val-list', str(raw / 'val.txt'), '--out', str(out),
        '--allow-empty-labels'
    ])
    data = load_annotations(str(out))
    sample = data['annotations'][1]
    assert sample['frame_dir'] == '0005-R' and sample['segments'] == []
    np.testing.assert_array_equal(sample['frame_labels'], np.full(6, 51))
    _, report = convert(raw, allow_empty_labels=True)
    assert any('0005-R.txt: no action; the video is all background' in note
               for note in report.notes)


def test_labels_reader_alone_refuses_then_accepts(raw):
    path = raw / 'label' / 'empty.txt'
    path.write_text('')
    with pytest.raises(RawDataError, match='no action in the label file'):
        read_pkummd_labels(str(path), 6)
    segments, _ = read_pkummd_labels(str(path), 6, allow_empty=True)
    assert segments.shape == (0, 3)


def test_skip_that_would_empty_the_val_split_is_refused(raw):
    (raw / 'skeleton' / '0005-R.txt').unlink()
    with pytest.raises(RawDataError, match=r'\(1 listed video\(s\) lack '
                       r'their files\): the val split would be empty '
                       r'\(samples per split: train 1, val 0\); nothing was '
                       'written'):
        convert(raw, on_missing='skip')


def test_skeleton_lines_become_frames_with_each_body_in_place(pkummd_raw):
    keypoint = read_pkummd_skeleton(str(pkummd_raw / 'skeleton' /
                                        '0002-M.txt'))
    assert keypoint.shape == (2, 30, 25, 3) and keypoint.dtype == np.float32
    # Frame 12, joint 7, z of body 1: 100 + 12 + 0.07 + 0.002.
    assert keypoint[0, 12, 7, 2] == pytest.approx(112.072, abs=1e-4)
    assert keypoint[1, 15, 24, 0] == pytest.approx(515.24, abs=1e-4)
    assert not keypoint[1, :10].any() and not keypoint[1, 20:].any()
    assert keypoint[1, 10:20].all()


def test_inclusive_end_becomes_half_open_and_labels_zero_based(pkummd_raw):
    labels = str(pkummd_raw / 'label' / '0002-L.txt')
    segments, notes = read_pkummd_labels(labels, total_frames=40)
    # "3,5,9" covers frames 5..9 -> [5, 10) class 2; "51,20,29" -> [20, 30).
    assert segments.tolist() == [[5, 10, 2], [20, 30, 50]]
    assert notes == []
    exclusive, _ = read_pkummd_labels(labels, total_frames=40,
                                      end_inclusive=False)
    assert exclusive.tolist() == [[5, 9, 2], [20, 29, 50]]


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


def test_video_in_both_splits_is_refused(pkummd_raw):
    with pytest.raises(RawDataError, match="'0002-L' is listed in both"):
        convert_pkummd(str(pkummd_raw / 'skeleton'), str(pkummd_raw / 'label'),
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

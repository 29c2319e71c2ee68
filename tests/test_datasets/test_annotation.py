"""The annotation format: derived labels, validation messages, atomic I/O."""
import os.path as osp
import pickle
import runpy

import numpy as np
import pytest

from snippet_plugin.datasets import (UntrimmedPoseDataset,
                                     annotation as annotation_module)
from snippet_plugin.datasets.annotation import (AnnotationError,
                                                derive_frame_labels,
                                                derive_video_labels,
                                                load_annotations,
                                                save_annotations,
                                                validate_annotations)
from helpers import REPO


def make_sample(name='seq0', frames=10, segments=((2, 5, 0), (5, 9, 1)),
                joints=25, num_classes=2):
    """A valid sample whose derived fields agree with its segments."""
    segments = [list(s) for s in segments]
    return {
        'frame_dir': name,
        'total_frames': frames,
        'keypoint': np.zeros((1, frames, joints, 3), np.float32),
        'segments': segments,
        'frame_labels': derive_frame_labels(segments, frames, num_classes),
        'label': derive_video_labels(segments),
    }


def make_data(*samples):
    return {
        'meta': {'classes': ['walk', 'kick'], 'fps': 30,
                 'layout': 'nturgb+d'},
        'split': {'train': [s['frame_dir'] for s in samples]},
        'annotations': list(samples),
    }


def test_frame_labels_fill_background_and_keep_half_open_ends():
    labels = derive_frame_labels([[2, 5, 0], [5, 9, 1]], 10, num_classes=2)
    # frames 0-1 and 9 background (id 2); frame 5 belongs to the second
    # segment only, because [2, 5) excludes 5.
    assert labels.tolist() == [2, 2, 0, 0, 0, 1, 1, 1, 1, 2]


def test_overlapping_segments_the_shorter_one_wins_then_the_lower_id():
    labels = derive_frame_labels([[0, 8, 1], [3, 5, 2], [6, 8, 0]], 8, 3)
    assert labels.tolist() == [1, 1, 1, 2, 2, 1, 0, 0]
    tie = derive_frame_labels([[0, 4, 2], [2, 6, 1]], 6, 3)
    assert tie.tolist() == [2, 2, 1, 1, 1, 1]


def test_video_labels_are_sorted_distinct_classes():
    assert derive_video_labels([[0, 2, 3], [4, 5, 1], [6, 9, 3]]) == [1, 3]
    assert derive_video_labels([]) == []


def test_valid_data_has_no_problems_and_round_trips(tmp_path):
    data = make_data(make_sample('a'), make_sample('b', frames=12))
    assert validate_annotations(data) == []
    path = tmp_path / 'ann.pkl'
    save_annotations(data, str(path))
    loaded = load_annotations(str(path))
    assert [s['frame_dir'] for s in loaded['annotations']] == ['a', 'b']
    np.testing.assert_array_equal(loaded['annotations'][1]['frame_labels'],
                                  data['annotations'][1]['frame_labels'])
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


@pytest.mark.parametrize('mutate, field, words', [
    (lambda s: s['keypoint'].__setitem__((0, 3, 4, 1), np.nan),
     '"keypoint"', 'non-finite (NaN/inf) values in 1 frame(s), first at '
     'frame 3'),
    (lambda s: s['keypoint'].__setitem__((0, 7, 0, 0), np.inf),
     '"keypoint"', 'first at frame 7'),
    (lambda s: s.update(keypoint=np.zeros((1, 10, 17, 3), np.float32)),
     '"keypoint"', '17 joints, the layout needs 25'),
    (lambda s: s.update(total_frames=12), '"total_frames"',
     '12 does not match keypoint frames 10'),
    (lambda s: s['segments'].append([8, 12, 0]), '"segments"[2]',
     'outside the sequence [0, 10)'),
    (lambda s: s['segments'].append([6, 6, 0]), '"segments"[2]',
     'end <= start'),
    (lambda s: s['segments'].append([0, 1, 5]), '"segments"[2]',
     'unknown class id 5 (2 classes)'),
    (lambda s: s['frame_labels'].__setitem__(4, 1), '"frame_labels"',
     '1 frame(s) disagree with "segments", first at frame 4'),
])
def test_each_bad_field_is_reported_by_file_sample_and_field(
        mutate, field, words):
    sample = make_sample('clip_07')
    mutate(sample)
    problems = validate_annotations(make_data(make_sample('ok'), sample),
                                    'ann.pkl')
    assert len(problems) == 1, problems
    assert problems[0].startswith("ann.pkl, sample 'clip_07' (index 1), "
                                  f'field {field}')
    assert words in problems[0]


def test_empty_sequence_is_reported():
    sample = make_sample('empty', frames=0, segments=())
    problems = validate_annotations(make_data(sample), 'ann.pkl')
    assert any('"total_frames": must be a positive integer' in p
               for p in problems)
    assert any('empty sequence' in p for p in problems)


def test_all_problems_are_listed_not_just_the_first():
    bad = make_sample('bad')
    bad['keypoint'][0, 0, 0, 0] = np.nan
    bad['segments'].append([3, 2, 0])
    problems = validate_annotations(make_data(bad), 'x.pkl')
    assert len(problems) == 2


def test_unlabelled_frames_are_allowed_in_frame_labels():
    sample = make_sample('semi')
    sample['frame_labels'][:] = -1
    assert validate_annotations(make_data(sample)) == []


def test_split_naming_an_unknown_sample_is_reported():
    data = make_data(make_sample('a'))
    data['split']['val'] = ['a', 'ghost']
    assert validate_annotations(data, 'f.pkl') == [
        "f.pkl, split 'val': 1 unknown frame_dir(s), e.g. 'ghost'"
    ]


def test_load_refuses_invalid_data_listing_problems(tmp_path):
    sample = make_sample('s1')
    sample['keypoint'][0, 2, 3, 0] = np.nan
    path = tmp_path / 'bad.pkl'
    path.write_bytes(pickle.dumps(make_data(sample)))
    with pytest.raises(AnnotationError) as err:
        load_annotations(str(path))
    assert str(path) in str(err.value)
    assert "sample 's1'" in str(err.value)


def test_save_refuses_invalid_data_and_writes_nothing(tmp_path):
    sample = make_sample('s1', joints=24)
    path = tmp_path / 'out.pkl'
    with pytest.raises(AnnotationError, match='24 joints'):
        save_annotations(make_data(sample), str(path))
    assert not path.exists()


def test_missing_file_is_named(tmp_path):
    path = tmp_path / 'nowhere.pkl'
    with pytest.raises(AnnotationError, match='nowhere.pkl: annotation file '
                       'not found'):
        load_annotations(str(path))


def test_truncated_and_corrupt_pickles_are_named(tmp_path):
    blob = pickle.dumps(make_data(make_sample('a')))
    truncated = tmp_path / 'truncated.pkl'
    truncated.write_bytes(blob[:len(blob) // 2])
    corrupt = tmp_path / 'corrupt.pkl'
    corrupt.write_bytes(b'\x80\x05this is not a pickle at all')
    for path in (truncated, corrupt):
        with pytest.raises(AnnotationError) as err:
            load_annotations(str(path))
        assert str(err.value).startswith(
            f'{path}: corrupt or truncated annotation pickle')


def test_wrong_top_level_object_is_reported():
    assert validate_annotations([1, 2], 'f.pkl') == [
        'f.pkl: top level must be a dict with "meta", "split" and '
        '"annotations", got list'
    ]


def write_unvalidated(data, path):
    """Write ``data`` in the format of ``path``'s suffix, skipping checks."""
    if path.suffix == '.pkl':
        path.write_bytes(pickle.dumps(data))
    else:
        with open(path, 'wb') as f:
            annotation_module._write_npz(data, f)


@pytest.mark.parametrize('suffix', ['.pkl', '.npz'])
def test_both_formats_round_trip_every_field(tmp_path, suffix):
    data = make_data(make_sample('a'), make_sample('b/é', frames=12))
    data['meta']['num_persons'] = np.int64(2)
    data['annotations'][0]['segments'] = [(2, 5, 0), (5, 9, 1)]
    path = tmp_path / f'ann{suffix}'
    save_annotations(data, str(path))
    loaded = load_annotations(str(path))
    assert loaded['meta'] == {'classes': ['walk', 'kick'], 'fps': 30,
                              'layout': 'nturgb+d', 'num_persons': 2}
    assert loaded['split'] == {'train': ['a', 'b/é']}
    for got, sent in zip(loaded['annotations'], data['annotations']):
        assert got['frame_dir'] == sent['frame_dir']
        assert got['total_frames'] == sent['total_frames']
        assert [list(s) for s in got['segments']] == \
            [list(s) for s in sent['segments']]
        assert got['label'] == sent['label']
        for field in ('keypoint', 'frame_labels'):
            assert got[field].dtype == sent[field].dtype
            np.testing.assert_array_equal(got[field], sent[field])
    assert list(tmp_path.iterdir()) == [path]


def test_npz_annotation_loads_without_pickle(tmp_path):
    path = tmp_path / 'ann.npz'
    save_annotations(make_data(make_sample('a')), str(path))
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == [
            '__annotation__.json', 'annotations/0/frame_labels',
            'annotations/0/keypoint'
        ]
        assert not any(archive[k].dtype.hasobject for k in archive.files)


def test_unknown_suffix_is_refused_naming_the_file(tmp_path):
    path = tmp_path / 'ann.json'
    with pytest.raises(AnnotationError, match=r'ann.json: unknown annotation '
                       r"format '.json'"):
        save_annotations(make_data(make_sample('a')), str(path))
    assert not path.exists()


def test_npz_refuses_values_that_would_need_pickle(tmp_path):
    data = make_data(make_sample('a'))
    data['meta']['extra'] = np.array([{'x': 1}], dtype=object)
    path = tmp_path / 'ann.npz'
    with pytest.raises(AnnotationError, match="field 'meta/extra': object "
                       'arrays cannot be stored without pickle'):
        save_annotations(data, str(path))
    assert list(tmp_path.iterdir()) == []


def test_truncated_and_corrupt_npz_are_named(tmp_path):
    good = tmp_path / 'good.npz'
    save_annotations(make_data(make_sample('a', frames=400)), str(good))
    blob = good.read_bytes()
    truncated = tmp_path / 'truncated.npz'
    truncated.write_bytes(blob[:len(blob) // 2])
    corrupt = tmp_path / 'corrupt.npz'
    corrupt.write_bytes(b'PK\x03\x04 this is not a zip archive')
    for path in (truncated, corrupt):
        with pytest.raises(AnnotationError) as err:
            load_annotations(str(path))
        assert str(err.value).startswith(
            f'{path}: corrupt or truncated annotation .npz')


def test_npz_without_the_json_member_is_named(tmp_path):
    path = tmp_path / 'plain.npz'
    np.savez(path, keypoint=np.zeros(3))
    with pytest.raises(AnnotationError, match=r"plain.npz: not an annotation "
                       r".npz, member '__annotation__.json' is missing"):
        load_annotations(str(path))


def test_npz_sample_missing_its_array_names_file_sample_and_field(tmp_path):
    good = tmp_path / 'good.npz'
    save_annotations(make_data(make_sample('a'), make_sample('clip_07')),
                     str(good))
    with np.load(good, allow_pickle=False) as archive:
        members = {k: archive[k] for k in archive.files
                   if k != 'annotations/1/keypoint'}
    path = tmp_path / 'mismatch.npz'
    np.savez(path, **members)
    with pytest.raises(AnnotationError) as err:
        load_annotations(str(path))
    assert str(err.value) == (
        f"1 problem(s) in {path}:\n{path}, sample 'clip_07' (index 1), field "
        "\"keypoint\": array 'annotations/1/keypoint' is missing from the "
        '.npz archive')


@pytest.mark.parametrize('suffix', ['.pkl', '.npz'])
@pytest.mark.parametrize('mutate, words', [
    (lambda s: s['keypoint'].__setitem__((0, 3, 4, 1), np.nan),
     'field "keypoint": 1 non-finite (NaN/inf) values in 1 frame(s), first '
     'at frame 3'),
    (lambda s: s.update(keypoint=np.zeros((1, 10, 17, 3), np.float32)),
     'field "keypoint": 17 joints, the layout needs 25'),
    (lambda s: s.update(keypoint=np.zeros((1, 0, 25, 3), np.float32),
                        total_frames=0, segments=[], frame_labels=np.zeros(
                            0, np.int64), label=[]),
     'field "keypoint": empty sequence, shape (1, 0, 25, 3)'),
    (lambda s: s['segments'].append([8, 12, 0]),
     'field "segments"[2] = [8, 12, 0]: outside the sequence [0, 10)'),
])
def test_bad_samples_in_a_file_name_file_sample_and_problem(
        tmp_path, suffix, mutate, words):
    sample = make_sample('clip_07')
    mutate(sample)
    path = tmp_path / f'bad{suffix}'
    write_unvalidated(make_data(make_sample('ok'), sample), path)
    with pytest.raises(AnnotationError) as err:
        load_annotations(str(path))
    expected = f"{path}, sample 'clip_07' (index 1), {words}"
    assert expected in str(err.value).splitlines()


def test_dataset_and_prepare_script_read_and_write_npz(tmp_path):
    """The loader and a prepare script take the format from the suffix."""
    prepare = runpy.run_path(osp.join(REPO, 'tools/data/prepare_mocapmix.py'),
                             run_name='tool')['main']
    out = tmp_path / 'mm.npz'
    prepare(['--out', str(out), '--num-train', '2', '--num-val', '1'])
    with np.load(out, allow_pickle=False) as archive:
        assert '__annotation__.json' in archive.files
    data = load_annotations(str(out))
    pkl = tmp_path / 'mm.pkl'
    save_annotations(data, str(pkl))
    items = {}
    for path in (out, pkl):
        dataset = UntrimmedPoseDataset(str(path), split='val')
        items[path.suffix] = dataset.get_data_info(0)
    assert items['.npz']['frame_dir'] == data['split']['val'][0]
    assert items['.npz']['frame_dir'] == items['.pkl']['frame_dir']
    np.testing.assert_array_equal(items['.npz']['keypoint'],
                                  items['.pkl']['keypoint'])

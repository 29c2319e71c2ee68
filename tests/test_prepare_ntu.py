"""NTU RGB+D 60 converter: raw ``.skeleton`` files (generated here in the
exact published format) and pyskl pickles -> pretraining annotation file."""
import pickle

import numpy as np
import pytest

from snippet_plugin.datasets import UntrimmedPoseDataset
from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.ntu import (NTUSampleName,
                                                    convert_ntu_pickle,
                                                    convert_ntu_skeletons,
                                                    read_ntu_skeleton,
                                                    select_bodies)
from helpers import write_ntu_skeleton


def encoded_joints(frames, offset):
    """``(T, 25, 3)`` values ``offset + t + v / 100 + c / 1000``."""
    t, v, c = np.meshgrid(np.arange(frames), np.arange(25), np.arange(3),
                          indexing='ij')
    return offset + t + v / 100 + c / 1000


def moving_joint(frames, joint, axis, values, offset):
    """Constant pose ``offset + v / 100`` with one coordinate following
    ``values`` over the frames."""
    xyz = np.broadcast_to(offset + np.arange(25)[:, None] / 100,
                          (frames, 25, 3)).copy()
    xyz[:, joint, axis] = values
    return xyz


# Motion energies by hand: A x of joint 0 = 0, 2, 0, 2, ... -> Var 1;
# B y of joint 3 = 0, 4, 0, 4 -> Var 4; C z of joint 5 = 0, 0.2 -> Var 0.01.
BODY_A = ('72057594037931101', range(8),
          moving_joint(8, 0, 0, [0, 2] * 4, 10))
BODY_B = ('72057594037931102', range(2, 6),
          moving_joint(4, 3, 1, [0, 4, 0, 4], 20))
BODY_C = ('72057594037931103', range(0, 2),
          moving_joint(2, 5, 2, [0, 0.2], 30))


@pytest.fixture
def raw(tmp_path):
    """Clips of performers 1 and 38 (xsub train), 3 and 40 (val), one of
    action 61, an empty one, one without bodies, one on the ignore list."""
    folder = tmp_path / 'nturgb+d_skeletons'
    folder.mkdir()
    write_ntu_skeleton(folder / 'S001C001P001R001A001.skeleton', 5,
                       [('1', range(5), encoded_joints(5, 0))])
    write_ntu_skeleton(folder / 'S001C002P003R001A050.skeleton', 8,
                       [BODY_C, BODY_A, BODY_B])
    write_ntu_skeleton(folder / 'S001C001P038R002A010.skeleton', 3,
                       [('1', range(3), encoded_joints(3, 0)),
                        ('2', range(3), encoded_joints(3, 100))])
    write_ntu_skeleton(folder / 'S002C003P040R001A020.skeleton', 4,
                       [('1', range(4), encoded_joints(4, 0))])
    write_ntu_skeleton(folder / 'S018C001P008R001A061.skeleton', 4,
                       [('1', range(4), encoded_joints(4, 0))])
    write_ntu_skeleton(folder / 'S001C001P002R001A030.skeleton', 4,
                       [('1', range(4), encoded_joints(4, 0))])
    (folder / 'S001C001P004R001A005.skeleton').write_text('0\n')
    (folder / 'S001C001P005R001A006.skeleton').write_text('3\n0\n0\n0\n')
    (folder / 'S001C001P005R001A007.skeleton').write_text('')
    (tmp_path / 'missing.txt').write_text('S001C001P002R001A030\n')
    return tmp_path


def test_sample_name_ids():
    name = NTUSampleName.parse('data/S017C003P020R002A060.skeleton')
    assert name == NTUSampleName(17, 3, 20, 2, 60)
    with pytest.raises(ValueError, match='not an NTU sample name'):
        NTUSampleName.parse('S01C003P020R002A060')


def test_joint_values_land_in_frame_joint_axis_order(raw):
    path = raw / 'nturgb+d_skeletons' / 'S001C001P001R001A001.skeleton'
    total_frames, tracks = read_ntu_skeleton(str(path))
    keypoint = select_bodies(tracks, total_frames)
    assert keypoint.shape == (1, 5, 25, 3) and keypoint.dtype == np.float32
    # Frame 3, joint 21, y: 3 + 0.21 + 0.001.
    assert keypoint[0, 3, 21, 1] == pytest.approx(3.211, abs=1e-5)
    assert keypoint[0, 0, 0, 0] == 0 and keypoint[0, 4, 24, 2] == \
        pytest.approx(4.242, abs=1e-5)


def test_motion_energy_keeps_two_most_moving_bodies_on_common_frames(raw):
    path = raw / 'nturgb+d_skeletons' / 'S001C002P003R001A050.skeleton'
    total_frames, tracks = read_ntu_skeleton(str(path))
    assert total_frames == 8
    energies = {t.body_id[-1]: t.motion_energy() for t in tracks}
    assert energies == pytest.approx({'1': 1.0, '2': 4.0, '3': 0.01})
    keypoint = select_bodies(tracks, total_frames)
    assert keypoint.shape == (2, 8, 25, 3)
    # Person 0 = body B (energy 4, tracked in frames 2..5 only).
    assert not keypoint[0, :2].any() and not keypoint[0, 6:].any()
    np.testing.assert_allclose(keypoint[0, 2:6, 3, 1], [0, 4, 0, 4])
    np.testing.assert_allclose(keypoint[0, 2:6, 10, 0], 20.1)
    # Person 1 = body A, all frames; the noisy body C is gone.
    np.testing.assert_allclose(keypoint[1, :, 0, 0], [0, 2] * 4)
    np.testing.assert_allclose(keypoint[1, :, 10, 0], 10.1)
    assert not np.isclose(keypoint, 30.05).any()


def test_equal_energy_keeps_first_seen_and_one_body_stays_one(raw):
    still = np.ones((1, 25, 3))
    tracks = read_ntu_skeleton(str(
        raw / 'nturgb+d_skeletons' / 'S001C002P003R001A050.skeleton'))[1]
    for track in tracks:
        track.frames, track.joints = track.frames[:1], track.joints[:1]
        track.joints[:] = still * int(track.body_id[-1])
    keypoint = select_bodies(tracks, 8)
    # All energies 0: first seen first (C in frame 0, then A).
    np.testing.assert_allclose(keypoint[:, 0, 0, 0], [3, 1])
    assert select_bodies(tracks[:1], 8).shape == (1, 8, 25, 3)


def test_raw_conversion_xsub_split_skips_and_notes(raw):
    data, report = convert_ntu_skeletons(
        str(raw / 'nturgb+d_skeletons'), ignore=['S001C001P002R001A030'])
    assert data['split'] == {
        'train': ['S001C001P001R001A001', 'S001C001P038R002A010'],
        'val': ['S001C002P003R001A050', 'S002C003P040R001A020']
    }
    samples = {s['frame_dir']: s for s in data['annotations']}
    assert samples['S001C001P038R002A010']['keypoint'].shape == (2, 3, 25, 3)
    assert all('segments' not in s and 'label' not in s
               for s in data['annotations'])
    assert 'classes' not in data['meta'] and data['meta']['fps'] == 30
    assert dict(report.skipped) == {
        'S001C001P004R001A005.skeleton': 'empty file (0 frames)',
        'S001C001P005R001A006.skeleton':
        'no body tracked in any of its 3 frames',
        'S001C001P005R001A007.skeleton': 'empty file (0 frames)',
    }
    assert report.notes == [
        '1 file(s) of actions A061+ left out (not NTU-60)',
        '1 file(s) on the ignore list left out'
    ]


def test_prepare_tool_writes_a_file_the_dataset_reads_unlabelled(
        raw, load_tool, capsys):
    out = raw / 'ntu60_xsub.pkl'
    load_tool('data/prepare_ntu').main([
        '--skeleton-dir', str(raw / 'nturgb+d_skeletons'), '--ignore-list',
        str(raw / 'missing.txt'), '--out', str(out)
    ])
    printed = capsys.readouterr().out
    assert 'train: 2 clips, 8 frames' in printed
    assert 'skipped 3 clip(s)' in printed
    dataset = UntrimmedPoseDataset(str(out), split='val', label_mode='none')
    items = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [item['frame_dir'] for item in items] == [
        'S001C002P003R001A050', 'S002C003P040R001A020'
    ]
    assert all((item['frame_labels'] == -1).all() and not
               item['video_labels'] for item in items)
    np.testing.assert_allclose(items[1]['keypoint'][0, 2, 7],
                               [2.07, 2.071, 2.072], atol=1e-5)


def test_truncated_file_and_bad_lines_name_file_and_line(tmp_path):
    path = tmp_path / 'S001C001P001R001A001.skeleton'
    write_ntu_skeleton(path, 2, [('1', range(2), encoded_joints(2, 0))])
    lines = path.read_text().splitlines()
    # 1 frame count + 2 x (body count, body info, joint count, 25 joints).
    assert len(lines) == 57
    path.write_text('\n'.join(lines[:40]) + '\n')
    with pytest.raises(RawDataError,
                       match=r'A001.skeleton, line 41: file ends early'):
        read_ntu_skeleton(str(path))
    path.write_text('\n'.join(lines[:3] + ['20'] + lines[4:]))
    with pytest.raises(RawDataError,
                       match='A001.skeleton, line 4: joint count 20, '
                       'expected 25'):
        read_ntu_skeleton(str(path))
    path.write_text('\n'.join(lines[:6] + ['0.1 0.2 0.3'] + lines[7:]))
    with pytest.raises(RawDataError,
                       match=r'A001.skeleton, line 7: 3 value\(s\), '
                       'expected 12'):
        read_ntu_skeleton(str(path))
    nan_line = lines[5].replace(lines[5].split()[1], 'nan', 1)
    path.write_text('\n'.join(lines[:5] + [nan_line] + lines[6:]))
    with pytest.raises(RawDataError,
                       match='A001.skeleton, line 6: NaN .* frame 0'):
        read_ntu_skeleton(str(path))
    path.write_text('\n'.join(lines + ['', '0']))
    with pytest.raises(RawDataError,
                       match='line 59: content after the 2 declared'):
        read_ntu_skeleton(str(path))


def test_pyskl_pickle_xsub_splits_without_labels(tmp_path, load_tool):
    rng = np.random.default_rng(0)
    keypoints = {
        'S001C001P001R001A001': rng.normal(size=(1, 20, 25, 3)),
        'S001C002P003R001A002': rng.normal(size=(2, 15, 25, 3)),
        'S018C001P008R001A061': rng.normal(size=(1, 9, 25, 3)),
    }
    source = dict(
        split=dict(xsub_train=['S001C001P001R001A001',
                               'S018C001P008R001A061'],
                   xsub_val=['S001C002P003R001A002'],
                   xview_train=['S001C002P003R001A002'],
                   xview_val=['S001C001P001R001A001']),
        annotations=[
            dict(frame_dir=name, label=int(name[-3:]) - 1,
                 keypoint=kp.astype(np.float32), total_frames=kp.shape[1])
            for name, kp in keypoints.items()
        ])
    pkl = tmp_path / 'ntu60_3danno.pkl'
    pkl.write_bytes(pickle.dumps(source))
    out = tmp_path / 'ntu60_xsub.pkl'
    load_tool('data/prepare_ntu').main(
        ['--pyskl-pkl', str(pkl), '--out', str(out)])
    data = load_annotations(str(out))
    assert data['split'] == {'train': ['S001C001P001R001A001'],
                             'val': ['S001C002P003R001A002']}
    for sample in data['annotations']:
        assert set(sample) == {'frame_dir', 'total_frames', 'keypoint'}
        np.testing.assert_array_equal(
            sample['keypoint'],
            keypoints[sample['frame_dir']].astype(np.float32))
    del source['split']['xsub_val']
    pkl.write_bytes(pickle.dumps(source))
    with pytest.raises(RawDataError, match=r"ntu60_3danno.pkl: split has no "
                       r"\['xsub_val'\]"):
        convert_ntu_pickle(str(pkl))


def test_prepare_tool_exits_naming_an_inconsistent_pickle_sample(
        tmp_path, load_tool):
    keypoint = np.ones((1, 6, 25, 3), dtype=np.float32)
    source = dict(split=dict(xsub_train=['S001C001P001R001A001'],
                             xsub_val=[]),
                  annotations=[dict(frame_dir='S001C001P001R001A001',
                                    label=0, keypoint=keypoint,
                                    total_frames=7)])
    pkl = tmp_path / 'ntu60_3danno.pkl'
    pkl.write_bytes(pickle.dumps(source))
    with pytest.raises(SystemExit) as stop:
        load_tool('data/prepare_ntu').main(
            ['--pyskl-pkl', str(pkl), '--out', str(tmp_path / 'o.pkl')])
    assert "sample 'S001C001P001R001A001'" in str(stop.value)
    assert '7 does not match keypoint frames 6' in str(stop.value)
    assert not (tmp_path / 'o.pkl').exists()

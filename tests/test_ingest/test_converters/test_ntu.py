"""NTU RGB+D 60 converter: raw .skeleton files (generated in the exact
published format, helpers.write_ntu_world) and pyskl pickles -> pretraining
annotation file; missing folders and ignore lists are named, and nothing is
written without a clip."""
import numpy as np
import pytest

from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.ntu import (NTUSampleName,
                                                  convert_ntu_pickle,
                                                  convert_ntu_skeletons,
                                                  read_ignore_list,
                                                  read_ntu_skeleton,
                                                  select_bodies)
from helpers import encoded_joints, write_ntu_skeleton


def test_a_missing_skeleton_folder_is_named(tmp_path):
    with pytest.raises(RawDataError, match=r'nowhere: skeleton folder not '
                       'found'):
        convert_ntu_skeletons(str(tmp_path / 'nowhere'))


def test_a_missing_ignore_list_is_named(tmp_path):
    with pytest.raises(RawDataError, match=r'gone\.txt: ignore list not '
                       'found'):
        read_ignore_list(str(tmp_path / 'gone.txt'))


def test_a_folder_without_skeleton_files_writes_nothing(tmp_path):
    with pytest.raises(RawDataError, match=r'\(0 NTU-60 \.skeleton file\(s\)'
                       r' read, 0 skipped\): no sample was converted'):
        convert_ntu_skeletons(str(tmp_path))


def test_a_pickle_without_an_ntu60_sample_writes_nothing(tmp_path):
    import pickle
    path = tmp_path / 'ntu120.pkl'
    with open(path, 'wb') as f:
        pickle.dump(dict(split=dict(xsub_train=['S018C001P008R001A061'],
                                    xsub_val=[]),
                         annotations=[dict(frame_dir='S018C001P008R001A061',
                                           total_frames=1, keypoint=[])]), f)
    with pytest.raises(RawDataError, match=r'ntu120\.pkl: no sample was '
                       'converted; nothing was written'):
        convert_ntu_pickle(str(path))


def test_sample_name_ids():
    name = NTUSampleName.parse('data/S017C003P020R002A060.skeleton')
    assert name == NTUSampleName(17, 3, 20, 2, 60)
    with pytest.raises(ValueError, match='not an NTU sample name'):
        NTUSampleName.parse('S01C003P020R002A060')


def test_joint_values_land_in_frame_joint_axis_order(ntu_raw):
    path = ntu_raw / 'nturgb+d_skeletons' / 'S001C001P001R001A001.skeleton'
    total_frames, tracks = read_ntu_skeleton(str(path))
    keypoint = select_bodies(tracks, total_frames)
    assert keypoint.shape == (1, 5, 25, 3) and keypoint.dtype == np.float32
    # Frame 3, joint 21, y: 3 + 0.21 + 0.001.
    assert keypoint[0, 3, 21, 1] == pytest.approx(3.211, abs=1e-5)
    assert keypoint[0, 0, 0, 0] == 0 and keypoint[0, 4, 24, 2] == \
        pytest.approx(4.242, abs=1e-5)


def test_motion_energy_keeps_two_most_moving_bodies_on_common_frames(ntu_raw):
    path = ntu_raw / 'nturgb+d_skeletons' / 'S001C002P003R001A050.skeleton'
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


def test_equal_energy_keeps_first_seen_and_one_body_stays_one(ntu_raw):
    still = np.ones((1, 25, 3))
    tracks = read_ntu_skeleton(str(
        ntu_raw / 'nturgb+d_skeletons' / 'S001C002P003R001A050.skeleton'))[1]
    for track in tracks:
        track.frames, track.joints = track.frames[:1], track.joints[:1]
        track.joints[:] = still * int(track.body_id[-1])
    keypoint = select_bodies(tracks, 8)
    # All energies 0: first seen first (C in frame 0, then A).
    np.testing.assert_allclose(keypoint[:, 0, 0, 0], [3, 1])
    assert select_bodies(tracks[:1], 8).shape == (1, 8, 25, 3)


def test_raw_conversion_xsub_split_skips_and_notes(ntu_raw):
    data, report = convert_ntu_skeletons(
        str(ntu_raw / 'nturgb+d_skeletons'), ignore=['S001C001P002R001A030'])
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

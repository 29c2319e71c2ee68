"""The joint cache reuses an entry only when the content of the sequence's
inputs and the options that shape its joints are unchanged."""
import hashlib
import os
import pickle

import numpy as np
import pytest

from babel_world import (MOTIONS, fake_smplh, make_world, run, samples,
                         time_joints, write_amass)
from snippet_plugin.ingest.converters.babel import (JointCache,
                                                    JointsFileJoints,
                                                    SMPLHJoints)


def entries(root, stem):
    return sorted(p.name for p in (root / 'out' / 'joints_cache').rglob(
        f'{stem}.*.npy'))


def test_an_amass_file_changed_to_60_fps_is_extracted_again(tmp_path):
    make_world(tmp_path)
    first = run(tmp_path)
    assert (first.extracted, first.cached) == (6, 0)
    assert samples(first.files['babel_subset1.pkl'])[1]['201'][
        'total_frames'] == 181  # 721 frames at 120 fps
    feat_p, disk, _, frames = MOTIONS['201']
    write_amass(tmp_path / 'amass' / disk, frames, 60.)
    second = run(tmp_path)
    assert (second.extracted, second.cached) == (1, 5)
    sample = samples(second.files['babel_subset1.pkl'])[1]['201']
    # 721 frames at 60 fps: floor(720 * 30 / 60) + 1 = 361 output frames;
    # source frame i holds x = i / 120, output frame k is source frame 2k.
    assert sample['total_frames'] == 361
    np.testing.assert_allclose(sample['keypoint'][0, :, 0, 0],
                               np.arange(361) / 60, atol=1e-6)
    assert len(entries(tmp_path, '05_01_poses')) == 1  # the old one removed


def test_a_changed_joints_file_entry_is_extracted_again(tmp_path):
    make_world(tmp_path)
    run(tmp_path)
    joints = dict(np.load(tmp_path / 'joints.npz'))
    feat_p, _, fps, frames = MOTIONS['203']
    joints[feat_p] = time_joints(frames, fps) + 1.0
    np.savez(tmp_path / 'joints.npz', **joints)
    second = run(tmp_path)
    assert (second.extracted, second.cached) == (1, 5)
    sample = samples(second.files['babel_subset3.pkl'])[1]['203']
    np.testing.assert_allclose(sample['keypoint'][0, :, 0, 0],
                               np.arange(16) / 30 + 1.0, atol=1e-6)


def test_the_same_content_with_new_times_or_paths_is_reused(tmp_path):
    make_world(tmp_path)
    run(tmp_path)
    for path in (tmp_path / 'amass').rglob('*.npz'):
        os.utime(path, ns=(1, 1))  # same bytes, other modification time
    joints = dict(np.load(tmp_path / 'joints.npz'))
    with open(tmp_path / 'joints.pkl', 'wb') as f:  # same entries, new file
        pickle.dump(joints, f)
    again = run(tmp_path, source=JointsFileJoints.open(
        str(tmp_path / 'joints.pkl')))
    assert (again.extracted, again.cached) == (0, 6)


def test_the_cache_folder_depends_on_the_options(tmp_path):
    base = dict(kind='smplh', gender='male', use_betas=False)
    folders = {JointCache(str(tmp_path), dict(base, **change)).folder
               for change in ({}, dict(gender='female'),
                              dict(use_betas=True))}
    assert len(folders) == 3
    assert JointCache(str(tmp_path), dict(base)).folder in folders


def test_smplh_settings_hold_the_models_content_digest(tmp_path):
    pytest.importorskip('smplx')
    model = tmp_path / 'SMPLH_MALE.pkl'
    with open(model, 'wb') as f:
        pickle.dump(fake_smplh(1), f)
    settings = SMPLHJoints.open(str(model)).settings()
    assert settings['models'] == {
        'male': hashlib.sha256(model.read_bytes()).hexdigest()
    }
    with open(model, 'wb') as f:  # another model under the same name
        pickle.dump(fake_smplh(2), f)
    changed = SMPLHJoints.open(str(model)).settings()
    assert changed['models']['male'] != settings['models']['male']
    assert JointCache(str(tmp_path), settings).folder != JointCache(
        str(tmp_path), changed).folder

"""Joint sources of the BABEL converter: a joints file (missing keys skipped,
bad files and lengths named) and the SMPL-H body model (missing model or smplx
named; with smplx, joints and tip vertices by hand under root orientation,
translation, betas and gender, and a whole conversion)."""
import json
import pickle
import shutil

import numpy as np
import pytest

from snippet_plugin.ingest.converters.babel import (JointsFileJoints,
                                                    SMPLHJoints, prepare_babel,
                                                    read_amass_motion,
                                                    resample_plan,
                                                    resampled_length)
from snippet_plugin.ingest.converters.common import RawDataError
from babel_world import (MOTIONS, add_missing_sequence, fake_smplh, make_world,
                         run, samples, write_amass)


def test_feat_p_missing_from_the_joints_file_is_skipped(tmp_path):
    make_world(tmp_path)
    add_missing_sequence(tmp_path)
    write_amass(tmp_path / 'amass' / 'ACCAD/s1/gone.npz', 10, 30.)
    result = run(tmp_path, max_missing=0.2)
    assert result.report.skipped[0][0] == '105'
    assert 'not in joints file' in result.report.skipped[0][1]


def test_a_joints_pickle_that_is_not_a_mapping_is_named(tmp_path):
    with open(tmp_path / 'joints.pkl', 'wb') as f:
        pickle.dump([1, 2], f)
    with pytest.raises(RawDataError, match=r'joints\.pkl: a joints \.pkl '
                       'must hold a dict'):
        JointsFileJoints.open(str(tmp_path / 'joints.pkl'))


def test_joints_of_the_wrong_length_name_the_file_and_key(tmp_path):
    make_world(tmp_path, sids=('201', ))
    np.savez(tmp_path / 'joints.npz',
             **{MOTIONS['201'][0]: np.zeros((5, 25, 3), np.float32)})
    with pytest.raises(RawDataError, match=r"joints\.npz, key 'CMU/CMU/05/"
                       r"05_01_poses\.npz': joints must be \(721, 25, 3\)"):
        run(tmp_path)


def test_missing_body_model_is_reported_before_any_work(tmp_path):
    with pytest.raises(RawDataError, match=r'no male SMPL-H body model; '
                       r'tried .*smplh/SMPLH_MALE\.pkl.*male/model\.npz'):
        SMPLHJoints.open(str(tmp_path))
    with pytest.raises(RawDataError, match='SMPL-H body model not found'):
        SMPLHJoints.open(str(tmp_path / 'nowhere'))


def test_without_smplx_the_error_says_what_to_install(tmp_path, monkeypatch):
    model = tmp_path / 'SMPLH_MALE.pkl'
    model.write_bytes(b'')
    monkeypatch.setitem(__import__('sys').modules, 'smplx', None)
    with pytest.raises(RawDataError, match=r'optional package smplx.*'
                       r'--joints-file'):
        SMPLHJoints.open(str(model))


# SMPL-H forward kinematics (needs the optional smplx) ------------------------
# NTU joint -> SMPL-H joint index, or ('vertex', id) for a surface point
# (smplx's SMPL-H vertex ids of the thumb and index finger tips).
EXPECTED_SOURCES = [0, 3, 12, 15, 16, 18, 20, 22, 17, 19, 21, 37, 1, 4, 7, 10,
                    2, 5, 8, 11, 9, ('vertex', 2746), ('vertex', 2319),
                    ('vertex', 6191), ('vertex', 5782)]


def expected_rest_joints(model, betas=None):
    """NTU-25 joints of the rest pose, from the model arrays directly."""
    template = model['v_template']
    if betas is not None:
        template = template + model['shapedirs'] @ betas
    joints = model['J_regressor'] @ template
    return np.stack([
        template[s[1]] if isinstance(s, tuple) else joints[s]
        for s in EXPECTED_SOURCES
    ])


@pytest.fixture(scope='module')
def body_models(tmp_path_factory):
    pytest.importorskip('smplx')
    root = tmp_path_factory.mktemp('body_models')
    male, female = fake_smplh(1), fake_smplh(2, with_hands=False)
    (root / 'smplh' / 'female').mkdir(parents=True)
    with open(root / 'smplh' / 'SMPLH_MALE.pkl', 'wb') as f:
        pickle.dump(male, f)
    np.savez(root / 'smplh' / 'female' / 'model.npz', **female)
    return root, male, female


def smplh_joints(source, motion_path):
    motion = read_amass_motion(str(motion_path))
    plan = resample_plan(motion.num_frames, motion.fps)
    return plan.apply(source.joints('x', motion, plan.frames))


def test_smplh_rest_pose_maps_joints_and_tip_vertices(body_models, tmp_path):
    root, male, _ = body_models
    write_amass(tmp_path / 'a.npz', 4, 30.)
    joints = smplh_joints(SMPLHJoints.open(str(root)), tmp_path / 'a.npz')
    # no hand mean is added (AMASS poses are absolute), no betas, no trans
    np.testing.assert_allclose(joints, np.broadcast_to(
        expected_rest_joints(male), (4, 25, 3)), atol=1e-4)


def test_smplh_root_orientation_turns_the_body_about_the_pelvis(
        body_models, tmp_path):
    root, male, _ = body_models
    poses = np.zeros((2, 156))
    poses[:, 2] = np.pi / 2  # 90 degrees about +z
    write_amass(tmp_path / 'a.npz', 2, 30., poses=poses)
    joints = smplh_joints(SMPLHJoints.open(str(root)), tmp_path / 'a.npz')
    rest = expected_rest_joints(male)
    pelvis = (male['J_regressor'] @ male['v_template'])[0]
    turn = np.array([[0., -1, 0], [1, 0, 0], [0, 0, 1]])
    np.testing.assert_allclose(joints[0], (rest - pelvis) @ turn.T + pelvis,
                               atol=1e-4)


def test_smplh_translation_betas_and_gender_from_file(body_models, tmp_path):
    root, _, female = body_models
    frames, fps = 11, 50.
    trans = np.zeros((frames, 3))
    trans[:, 0] = np.arange(frames) / fps  # metres = seconds
    betas = np.linspace(-2, 2, 16)
    write_amass(tmp_path / 'a.npz', frames, fps, gender=b'female',
                trans=trans, betas=betas)
    source = SMPLHJoints.open(str(root), gender='from-file', use_betas=True,
                              with_translation=True)
    joints = smplh_joints(source, tmp_path / 'a.npz')
    length = resampled_length(frames, fps)
    expected = expected_rest_joints(female, betas)[None].repeat(length, 0)
    expected[..., 0] += (np.arange(length) / 30)[:, None]
    np.testing.assert_allclose(joints, expected, atol=1e-4)


def test_prepare_with_the_body_model(body_models, tmp_path):
    root, male, _ = body_models
    make_world(tmp_path, sids=('102', '201', '203'))  # no file left empty
    result = prepare_babel(str(tmp_path / 'babel'), str(tmp_path / 'amass'),
                           str(tmp_path / 'out'),
                           SMPLHJoints.open(str(root)))
    _, by_sid = samples(result.files['babel_subset1.pkl'])
    keypoint = by_sid['201']['keypoint']
    assert keypoint.shape == (1, 181, 25, 3)
    np.testing.assert_allclose(keypoint[0, 90], expected_rest_joints(male),
                               atol=1e-4)
    cache = tmp_path / 'out' / 'joints_cache'
    settings = json.loads(next(cache.rglob('settings.json')).read_text())
    assert settings['kind'] == 'smplh' and settings['gender'] == 'male'
    shutil.rmtree(cache)

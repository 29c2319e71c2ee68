"""BABEL + AMASS -> annotation files, on tiny generated fixtures in the real
formats (BABEL JSON, AMASS npz, SMPL-H model files); no data is shipped.

Fixture joints encode time: joint ``j`` of source frame ``i`` at ``fps`` is
``(i / fps, j, 1)``, so after resampling output frame ``k`` must read
``k / 30`` in x, whatever the source rate.
"""
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from babel_world import (FRAME_LABELS, MOTIONS, SUBSET1_101, babel_entry,
                         fake_smplh, make_world, run, samples, time_joints,
                         write_amass)
from snippet_plugin.datasets import UntrimmedPoseDataset
from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.ingest.converters.babel import (
    BabelLabel, JointsFileJoints, SMPLHJoints, amass_candidates,
    find_amass_file, prepare_babel, read_amass_motion, read_babel_json,
    resample_plan, resampled_length, seconds_to_frame,
    segments_from_babel_labels)
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.evaluation.functional import labels_to_segments

@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('babel_world')
    make_world(root)
    result = run(root)
    return root, result


# Time ------------------------------------------------------------------------
@pytest.mark.parametrize('frames, fps, expected', [(1201, 120., 301),
                                                   (181, 60., 91),
                                                   (101, 50., 61),
                                                   (16, 30., 16),
                                                   (120, 120., 30),
                                                   (1, 120., 1)])
def test_resampled_length_by_hand(frames, fps, expected):
    assert resampled_length(frames, fps) == expected


def test_resampled_length_covers_the_recording_and_never_passes_it():
    for fps in (24., 50., 59.94, 60., 100., 119.88, 120., 250.):
        for frames in range(1, 400, 7):
            length = resampled_length(frames, fps)
            last_time = (frames - 1) / fps
            assert (length - 1) / 30 <= last_time + 1e-9
            assert length / 30 > last_time - 1e-9  # no frame lost


@pytest.mark.parametrize('frames, fps', [(1201, 120.), (181, 60.), (101, 50.),
                                         (40, 59.94), (16, 30.)])
def test_resampling_reads_each_output_frame_at_k_over_30_seconds(frames, fps):
    plan = resample_plan(frames, fps)
    source = time_joints(frames, fps)
    out = plan.apply(source[plan.frames])
    length = resampled_length(frames, fps)
    assert out.shape == (length, 25, 3)
    np.testing.assert_allclose(out[:, 0, 0], np.arange(length) / 30,
                               atol=1e-6)
    np.testing.assert_array_equal(out[:, :, 1], source[:length, :, 1])


def test_resampling_computes_only_the_frames_it_uses():
    assert resample_plan(1201, 120.).frames.tolist() == list(range(0, 1201,
                                                                   4))
    # 50 -> 30 fps: positions 0, 5/3, 10/3, 5 -> frames 0, 1-2, 3-4, 5
    plan = resample_plan(6, 50.)
    assert plan.frames.tolist() == [0, 1, 2, 3, 4, 5]
    np.testing.assert_allclose(plan.weight, [0, 2 / 3, 1 / 3, 0])


@pytest.mark.parametrize('seconds, frame', [(0.5 / 30, 1), (0.49 / 30, 0),
                                            (1.5 / 30, 2), (6.85, 206),
                                            (3.51, 105), (5.02, 151),
                                            (2.0, 60)])
def test_seconds_to_frame_rounds_half_up(seconds, frame):
    assert seconds_to_frame(seconds) == frame


def test_segments_from_babel_labels_by_hand():
    labels = [BabelLabel(float(lb['start_t']), float(lb['end_t']),
                         tuple(lb['act_cat'])) for lb in FRAME_LABELS['101']]
    segments, dropped = segments_from_babel_labels(labels,
                                       ('walk', 'stand', 'turn', 'jump'), 301)
    assert segments.tolist() == SUBSET1_101
    assert dropped == 1


# Outputs ---------------------------------------------------------------------
def test_subset_segments_and_frame_labels_by_hand(world):
    root, result = world
    data, by_sid = samples(result.files['babel_subset1.pkl'])
    assert data['meta']['classes'] == ['walk', 'stand', 'turn', 'jump']
    assert data['meta']['fps'] == 30
    sample = by_sid['101']
    assert sample['total_frames'] == 301
    assert sample['keypoint'].shape == (1, 301, 25, 3)
    assert sample['segments'] == SUBSET1_101
    expected = np.full(301, 4)
    # painted by hand: the shorter segment wins, on a tie the lower id
    for start, end, class_id in [(0, 60, 0), (45, 51, 2), (90, 105, 3),
                                 (151, 180, 1), (206, 210, 3), (240, 255, 2),
                                 (285, 301, 1)]:
        expected[start:end] = class_id
    np.testing.assert_array_equal(sample['frame_labels'], expected)
    assert sample['label'] == [0, 1, 2, 3]
    summary = result.summaries[1]
    assert summary.dropped_segments == 1
    assert summary.multi_label_frames == 6 + 15


def test_subset2_frames_from_60_fps_motion(world):
    _, result = world
    _, by_sid = samples(result.files['babel_subset2.pkl'])
    assert by_sid['102']['total_frames'] == 91
    assert by_sid['102']['segments'] == [[15, 30, 0], [30, 60, 3],
                                         [60, 87, 2]]


def test_every_frame_kept_and_a_gap_does_not_shift_later_labels(world):
    _, result = world
    _, by_sid = samples(result.files['babel_subset1.pkl'])
    sample = by_sid['201']
    assert sample['total_frames'] == 181  # 6 s at 120 fps -> 0..6 s at 30
    labels = sample['frame_labels']
    assert (labels[30:60] == 4).all()  # the gap is background
    assert labels[59] == 4 and labels[60] == 2 and labels[74] == 2
    assert labels[75] == 4 and labels[120] == 3 and labels[150] == 4
    # frame k holds the motion at k / 30 s: frame 60 is at 2.0 s
    np.testing.assert_allclose(sample['keypoint'][0, :, 0, 0],
                               np.arange(181) / 30, atol=1e-6)


def test_joints_are_stored_raw_at_30_fps(world):
    _, result = world
    data, by_sid = samples(result.files['babel_pretrain.pkl'])
    meta = data['meta']
    assert (meta['units'], meta['up_axis'], meta['normalised']) == ('m', 'z',
                                                                    False)
    keypoint = by_sid['103']['keypoint']  # 50 fps, interpolated
    assert keypoint.dtype == np.float32 and keypoint.shape == (1, 61, 25, 3)
    np.testing.assert_allclose(keypoint[0, :, 7, 0], np.arange(61) / 30,
                               atol=1e-6)
    np.testing.assert_array_equal(keypoint[0, 0, :, 1], np.arange(25))


def test_sequence_label_only_goes_to_pretraining_only(world):
    _, result = world
    data, by_sid = samples(result.files['babel_pretrain.pkl'])
    assert sorted(by_sid) == ['101', '102', '103']  # train only, 103 too
    assert data['split'] == {'train': ['101', '102', '103']}
    assert all('segments' not in s for s in by_sid.values())
    for subset in (1, 2, 3):
        _, subset_samples = samples(result.files[f'babel_subset{subset}.pkl'])
        assert '103' not in subset_samples and '202' not in subset_samples


def test_subset_files_hold_sequences_with_an_action_of_the_subset(world):
    _, result = world
    splits = {
        subset: load_annotations(result.files[f'babel_subset{subset}.pkl'])
        ['split']
        for subset in (1, 2, 3)
    }
    assert splits[1] == {'train': ['101'], 'val': ['201']}
    assert splits[2] == {'train': ['102'], 'val': []}
    assert splits[3] == {'train': [], 'val': ['203']}


def test_all_labelled_sequences_with_subset_sequences_all(tmp_path):
    make_world(tmp_path)
    result = run(tmp_path, subset_sequences='all')
    data, by_sid = samples(result.files['babel_subset3.pkl'])
    assert data['split'] == {'train': ['101', '102'],
                             'val': ['201', '203', '204']}
    np.testing.assert_array_equal(by_sid['204']['frame_labels'],
                                  np.full(10, 4))
    assert by_sid['204']['segments'] == []


def test_round_trip_through_the_dataset_recovers_the_segments(world):
    _, result = world
    path = result.files['babel_subset1.pkl']
    dataset = UntrimmedPoseDataset(path, split='val', label_mode='frame')
    item = dataset.get_data_info(0)
    assert item['frame_dir'] == '201'
    recovered = labels_to_segments(item['frame_labels'], background_id=4)
    assert recovered.tolist() == [[6, 30, 0], [60, 75, 2], [120, 150, 3]]
    assert recovered.tolist() == samples(path)[1]['201']['segments']


def test_report_counts_sequences_frames_and_instances(world):
    _, result = world
    subset1 = result.summaries[1]
    assert subset1.splits['train']['sequences'] == 1
    assert subset1.splits['train']['frames'] == 301
    assert subset1.splits['val']['frames'] == 181
    assert subset1.splits['train']['instances'].tolist() == [1, 2, 2, 3]
    assert result.summaries[0].splits['train']['frames'] == 301 + 91 + 61
    assert result.report.skipped == []
    assert Path(result.missing_list).read_text() == ''


def test_extra_train_motion_joins_pretraining_without_duplicates(tmp_path):
    make_world(tmp_path)
    new = dict(babel_entry('103'), feat_p='KIT/9/extra_poses.npz',
               seq_anns=[], frame_anns=[{'labels': 'not read'}])
    extra = {
        '301': new,
        '101': babel_entry('101'),  # already in train.json
        '302': dict(new, feat_p=MOTIONS['201'][0]),  # val motion
    }
    (tmp_path / 'babel' / 'extra_train.json').write_text(json.dumps(extra))
    write_amass(tmp_path / 'amass' / 'KIT/9/extra_poses.npz', 31, 30.)
    joints = dict(np.load(tmp_path / 'joints.npz'))
    joints['KIT/9/extra_poses.npz'] = time_joints(31, 30.)
    with open(tmp_path / 'joints.pkl', 'wb') as f:  # the .pkl form
        pickle.dump(joints, f)
    result = prepare_babel(str(tmp_path / 'babel'), str(tmp_path / 'amass'),
                           str(tmp_path / 'out'),
                           JointsFileJoints.open(str(tmp_path / 'joints.pkl')),
                           with_extra=True)
    data, by_sid = samples(result.files['babel_pretrain.pkl'])
    assert data['split'] == {'train': ['101', '102', '103', '301']}
    np.testing.assert_allclose(by_sid['301']['keypoint'][0, :, 0, 0],
                               np.arange(31) / 30, atol=1e-6)
    assert '301' not in samples(result.files['babel_subset1.pkl'])[1]


# AMASS paths -----------------------------------------------------------------
@pytest.mark.parametrize('feat_p, disk', [
    ('CMU/CMU/02/x.npz', 'CMU/02/x.npz'),
    ('CMU/02/x.npz', 'CMU/CMU/02/x.npz'),
    ('BioMotionLab_NTroje/rub001/x.npz', 'BMLrub/rub001/x.npz'),
    ('BMLrub/rub001/x.npz', 'BioMotionLab_NTroje/rub001/x.npz'),
    ('DFaust_67/50002/x.npz', 'DFaust/DFaust/50002/x.npz'),
    ('DFaust/DFaust/50002/x.npz', 'DFaust_67/50002/x.npz'),
])
def test_amass_folder_aliases_resolve_both_ways(tmp_path, feat_p, disk):
    (tmp_path / disk).parent.mkdir(parents=True)
    (tmp_path / disk).write_bytes(b'')
    assert find_amass_file(str(tmp_path), feat_p) == str(tmp_path / disk)


def test_amass_candidates_are_few_and_start_with_the_literal_folder():
    candidates = amass_candidates('/r', 'CMU/CMU/02/x.npz')
    assert candidates == ['/r/CMU/02/x.npz', '/r/CMU/CMU/02/x.npz']


def test_amass_gender_bytes_and_frame_rate_are_read(tmp_path):
    path = tmp_path / 'm.npz'
    np.savez(path, poses=np.zeros((3, 156)), gender=np.array(b'female'),
             mocap_frame_rate=np.array(100.0))
    motion = read_amass_motion(str(path))
    assert (motion.gender, motion.fps, motion.num_frames) == ('female', 100.,
                                                              3)


# Resume, parallel, max frames ------------------------------------------------
def test_rerun_skips_cached_sequences_and_redoes_a_deleted_one(tmp_path):
    make_world(tmp_path)
    first = run(tmp_path)
    assert (first.extracted, first.cached) == (6, 0)
    before = samples(first.files['babel_subset1.pkl'])[1]
    second = run(tmp_path)
    assert (second.extracted, second.cached) == (0, 6)
    cache_file = next((tmp_path / 'out' / 'joints_cache').rglob('05_01*.npy'))
    cache_file.unlink()
    third = run(tmp_path)
    assert (third.extracted, third.cached) == (1, 5)
    after = samples(third.files['babel_subset1.pkl'])[1]
    for sid in before:
        np.testing.assert_array_equal(before[sid]['keypoint'],
                                      after[sid]['keypoint'])


def test_parallel_workers_give_the_same_files(tmp_path):
    make_world(tmp_path)
    serial = run(tmp_path, out='serial')
    parallel = run(tmp_path, out='parallel', workers=2)
    for name, path in serial.files.items():
        a, b = samples(path)[1], samples(parallel.files[name])[1]
        assert sorted(a) == sorted(b)
        for sid in a:
            np.testing.assert_array_equal(a[sid]['keypoint'],
                                          b[sid]['keypoint'])


def test_max_frames_drops_long_sequences_and_says_so(tmp_path):
    make_world(tmp_path)
    result = run(tmp_path, max_frames=200)
    _, pretrain = samples(result.files['babel_pretrain.pkl'])
    assert sorted(pretrain) == ['102', '103']
    assert dict(result.report.skipped) == {'101': '301 frames > max_frames 200'}
    assert result.extracted == 5  # the dropped motion is never extracted


# Bad inputs ------------------------------------------------------------------
def add_missing_sequence(root):
    train = json.loads((root / 'babel' / 'train.json').read_text())
    train['105'] = dict(babel_entry('101'), feat_p='ACCAD/ACCAD/s1/gone.npz')
    (root / 'babel' / 'train.json').write_text(json.dumps(train))


def test_missing_amass_file_is_skipped_and_listed(tmp_path):
    make_world(tmp_path)
    add_missing_sequence(tmp_path)
    result = run(tmp_path, max_missing=0.2)  # 1 of 7 sequences missing
    assert [sid for sid, _ in result.report.skipped] == ['105']
    assert 'ACCAD/ACCAD/s1/gone.npz' in result.report.skipped[0][1]
    line = Path(result.missing_list).read_text().splitlines()
    assert line[0].split('\t')[:2] == ['105', 'ACCAD/ACCAD/s1/gone.npz']
    assert '105' not in samples(result.files['babel_pretrain.pkl'])[1]


def test_missing_amass_file_with_on_missing_error_stops_before_work(
        tmp_path):
    make_world(tmp_path)
    add_missing_sequence(tmp_path)
    with pytest.raises(RawDataError, match=r"105: no AMASS file.*gone\.npz"):
        run(tmp_path, on_missing='error')
    assert not (tmp_path / 'out').exists()


def test_feat_p_missing_from_the_joints_file_is_skipped(tmp_path):
    make_world(tmp_path)
    add_missing_sequence(tmp_path)
    write_amass(tmp_path / 'amass' / 'ACCAD/s1/gone.npz', 10, 30.)
    result = run(tmp_path, max_missing=0.2)
    assert result.report.skipped[0][0] == '105'
    assert 'not in joints file' in result.report.skipped[0][1]


def test_invalid_json_names_the_file_and_line(tmp_path):
    make_world(tmp_path)
    (tmp_path / 'babel' / 'val.json').write_text('{"201": {"feat_p": \n]')
    with pytest.raises(RawDataError, match=r'val\.json: not valid JSON '
                       r'\(line 2'):
        run(tmp_path)


def test_malformed_label_names_file_sequence_and_field(tmp_path):
    path = tmp_path / 'train.json'
    entry = babel_entry('201')
    del entry['frame_ann']['labels'][1]['end_t']
    path.write_text(json.dumps({'201': entry}))
    with pytest.raises(RawDataError,
                       match=r"train\.json, sequence '201', frame_ann\."
                       r"labels\[1\]: missing or invalid field\(s\) "
                       r"\['end_t'\]"):
        read_babel_json(str(path), 'train')


def test_missing_babel_file_and_unsafe_feat_p_are_named(tmp_path):
    with pytest.raises(RawDataError, match='train.json: BABEL annotation '
                       'file not found'):
        read_babel_json(str(tmp_path / 'train.json'), 'train')
    path = tmp_path / 'val.json'
    path.write_text(json.dumps({'7': dict(feat_p='../etc/passwd.npz')}))
    with pytest.raises(RawDataError, match="sequence '7': needs a relative"):
        read_babel_json(str(path), 'val')


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


def test_corrupt_amass_file_is_named(tmp_path):
    make_world(tmp_path, sids=('201', ))
    (tmp_path / 'amass' / MOTIONS['201'][1]).write_bytes(b'not a zip')
    with pytest.raises(RawDataError, match=r'05_01_poses\.npz: unreadable '
                       'AMASS file'):
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


# Command line ----------------------------------------------------------------
def test_cli_writes_every_file_and_the_report(tmp_path, load_tool, capsys):
    make_world(tmp_path)
    add_missing_sequence(tmp_path)
    out = tmp_path / 'cli'
    load_tool('data/prepare_babel').main([
        '--babel-dir', str(tmp_path / 'babel'), '--amass-root',
        str(tmp_path / 'amass'), '--joints-file',
        str(tmp_path / 'joints.npz'), '--out-dir', str(out),
        '--max-missing', '0.2'
    ])
    names = sorted(p.name for p in out.iterdir())
    assert names == ['babel_label_issues.txt', 'babel_missing.txt',
                     'babel_pretrain.pkl', 'babel_report.txt',
                     'babel_subset1.pkl', 'babel_subset2.pkl',
                     'babel_subset3.pkl', 'joints_cache']
    report = (out / 'babel_report.txt').read_text()
    assert 'train: 1 sequences, 301 frames, 0.00 h, 8 action instances' in \
        report
    printed = capsys.readouterr().out
    assert 'skipped 1 sequence(s)' in printed and '105: no AMASS' in printed


def test_cli_errors(tmp_path, load_tool):
    tool = load_tool('data/prepare_babel')
    with pytest.raises(SystemExit):
        tool.parse_args(['--babel-dir', 'b', '--amass-root', 'a',
                         '--joints-file', 'j.npz', '--gender', 'female'])
    with pytest.raises(SystemExit, match='error: .*train.json: BABEL '
                       'annotation file not found'):
        np.savez(tmp_path / 'j.npz', x=np.zeros(1))
        tool.main(['--babel-dir', str(tmp_path), '--amass-root', 'a',
                   '--joints-file', str(tmp_path / 'j.npz')])


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

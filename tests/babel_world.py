"""A tiny BABEL + AMASS world in the real formats (BABEL JSON, AMASS npz,
a joints file), for the BABEL converter's tests; no data is shipped.

Fixture joints encode time: joint ``j`` of source frame ``i`` at ``fps`` is
``(i / fps, j, 1)``, so after resampling output frame ``k`` must read
``k / 30`` in x, whatever the source rate.
"""
import json
import os

import numpy as np

from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.ingest.converters.babel import (JointsFileJoints,
                                                    prepare_babel)

# sid -> (feat_p as BABEL spells it, path on disk under the AMASS root, fps,
# source frames); None: no file on disk.
MOTIONS = {
    '101': ('CMU/CMU/02/02_01_poses.npz', 'CMU/02/02_01_poses.npz', 120.,
            1201),
    '102': ('BioMotionLab_NTroje/rub001/0001_treadmill_poses.npz',
            'BMLrub/rub001/0001_treadmill_poses.npz', 60., 181),
    '103': ('DFaust_67/50002/50002_jumping_jacks_poses.npz',
            'DFaust/DFaust/50002/50002_jumping_jacks_poses.npz', 50., 101),
    '201': ('CMU/CMU/05/05_01_poses.npz', 'CMU/05/05_01_poses.npz', 120.,
            721),
    '202': ('CMU/CMU/06/06_01_poses.npz', None, 120., 0),
    '203': ('KIT/3/wave_poses.npz', 'KIT/3/wave_poses.npz', 30., 16),
    '204': ('KIT/4/apose_poses.npz', 'KIT/4/apose_poses.npz', 30., 10),
}


def frame_label(act_cat, start_t, end_t):
    return dict(raw_label=' '.join(act_cat), proc_label=' '.join(act_cat),
                seg_id=f'seg-{start_t}', act_cat=list(act_cat),
                start_t=start_t, end_t=end_t)


# sid -> frame labels (None: sequence label only)
FRAME_LABELS = {
    '101': [
        frame_label(['walk'], 0.0, 2.0),  # [0, 60)
        frame_label(['turn'], 1.5, 1.7),  # [45, 51), inside the walk
        frame_label(['jump'], 3.0, 3.51),  # 105.3 -> [90, 105)
        frame_label(['stand'], 5.02, 6.0),  # 150.6 -> [151, 180)
        frame_label(['Jump'], 9.99, 10.0),  # [300, 300): dropped
        frame_label(['jump'], 6.85, 7.0),  # 205.5 rounds up -> [206, 210)
        frame_label(['jump', 'turn'], 8.0, 8.5),  # [240, 255) twice
        frame_label(['stand'], 9.5, 12.0),  # [285, 360) -> clipped to 301
        frame_label(['t pose'], 0.0, 1.0),  # in no subset
    ],
    '102': [
        frame_label(['sit'], 0.5, 1.0),  # [15, 30)
        frame_label(['kick'], 1.0, 2.0),  # [30, 60)
        frame_label(['stand up'], 2.0, 2.9),  # [60, 87)
    ],
    '103': None,
    '201': [
        frame_label(['walk'], 0.2, 1.0),  # [6, 30)
        frame_label(['turn'], 2.0, 2.5),  # [60, 75), after a 1 s gap
        frame_label(['jump'], 4.0, 5.0),  # [120, 150)
    ],
    '202': None,
    '203': [frame_label(['wave'], 0.0, 0.5), frame_label(['t pose'], 0, .5)],
    '204': [frame_label(['a pose'], 0.0, 0.3)],
}
TRAIN, VAL = ('101', '102', '103'), ('201', '202', '203', '204')

SUBSET1_101 = [[0, 60, 0], [45, 51, 2], [90, 105, 3], [151, 180, 1],
               [206, 210, 3], [240, 255, 2], [240, 255, 3], [285, 301, 1]]


def babel_entry(sid):
    feat_p, _, fps, frames = MOTIONS[sid]
    labels = json.loads(json.dumps(FRAME_LABELS[sid]))  # a fresh copy
    return dict(
        babel_sid=int(sid), url=f'https://example.org/{sid}.mp4',
        feat_p=feat_p, dur=round(frames / fps, 3),
        seq_ann=dict(babel_lid='s', anntr_id='a', mul_act=labels is not None,
                     labels=[dict(raw_label='x', proc_label='x', seg_id='q',
                                  act_cat=['walk'])]),
        frame_ann=None if labels is None else dict(
            babel_lid='f', anntr_id='a', mul_act=True, labels=labels))


def time_joints(frames, fps):
    """(T, 25, 3): joint j of frame i at (i / fps, j, 1)."""
    joints = np.ones((frames, 25, 3), dtype=np.float32)
    joints[..., 0] = (np.arange(frames) / fps)[:, None]
    joints[..., 1] = np.arange(25)
    return joints


def write_amass(path, frames, fps, gender='male', poses=None, trans=None,
                betas=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez(path,
             poses=np.zeros((frames, 156)) if poses is None else poses,
             trans=np.zeros((frames, 3)) if trans is None else trans,
             betas=np.zeros(16) if betas is None else betas,
             gender=np.array(gender), mocap_framerate=np.array(fps),
             dmpls=np.zeros((frames, 8)))


def make_world(root, sids=TRAIN + VAL):
    """BABEL JSON, AMASS files and a joints file under ``root``."""
    babel, amass = root / 'babel', root / 'amass'
    babel.mkdir(parents=True)
    for name, members in (('train', TRAIN), ('val', VAL)):
        entries = {sid: babel_entry(sid) for sid in members if sid in sids}
        (babel / f'{name}.json').write_text(json.dumps(entries))
    joints = {}
    for sid in sids:
        feat_p, disk, fps, frames = MOTIONS[sid]
        if disk is not None:
            write_amass(amass / disk, frames, fps)
            joints[feat_p] = time_joints(frames, fps)
    np.savez(root / 'joints.npz', **joints)
    return babel, amass, root / 'joints.npz'


def run(root, out='out', source=None, **kwargs):
    """``prepare_babel`` on the world under ``root`` (joints file source by
    default)."""
    if source is None:
        source = JointsFileJoints.open(str(root / 'joints.npz'))
    return prepare_babel(str(root / 'babel'), str(root / 'amass'),
                         str(root / out), source, **kwargs)


def samples(path):
    data = load_annotations(str(path))
    return data, {s['frame_dir']: s for s in data['annotations']}


SMPLH_PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16,
                 17, 18, 19] + [
                     p for wrist, first in ((20, 22), (21, 37))
                     for finger in range(5)
                     for p in (wrist, first + 3 * finger,
                               first + 3 * finger + 1)
                 ]


def fake_smplh(seed, with_hands=True):
    """Random SMPL-H model arrays with the real names and shapes."""
    rng = np.random.default_rng(seed)
    weights = rng.random((6890, 52)) ** 4
    regressor = rng.random((52, 6890)) ** 8
    model = dict(
        v_template=rng.normal(size=(6890, 3)),
        shapedirs=rng.normal(scale=0.01, size=(6890, 3, 16)),
        posedirs=rng.normal(scale=0.01, size=(6890, 3, 51 * 9)).astype(
            np.float32),
        J_regressor=regressor / regressor.sum(1, keepdims=True),
        weights=weights / weights.sum(1, keepdims=True),
        kintree_table=np.stack([np.r_[4294967295, SMPLH_PARENTS[1:]],
                                np.arange(52)]).astype(np.int64),
        f=rng.integers(0, 6890, size=(13776, 3)).astype(np.uint32))
    if with_hands:
        model.update(hands_componentsl=rng.normal(size=(45, 45)),
                     hands_componentsr=rng.normal(size=(45, 45)),
                     hands_meanl=rng.normal(size=45),
                     hands_meanr=rng.normal(size=45))
    return model

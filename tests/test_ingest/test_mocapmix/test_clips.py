"""MocapMix clips (snippet_plugin.ingest.mocapmix.clips): the bundled files
match their checksums, the class list covers every clip once, resampling to 30
fps (frame counts, lerped root, slerped rotations), loops without jumps, and
the walk clip's sanity numbers."""
import hashlib
import os.path as osp
import re

import numpy as np
import pytest

from snippet_plugin.ingest.mocapmix import (CLASS_CLIPS, CLASSES, CLIP_NAMES,
                                            load_clip, read_clip)
from snippet_plugin.ingest.mocapmix.clips import (MotionClip, clip_path,
                                                    natural_num_frames,
                                                    sample_clip)
from snippet_plugin.ingest.mocapmix.kinematics import (PoseSequence,
                                                       heading_angle,
                                                       pose_to_ntu25)
from helpers import REPO


def test_bundled_files_match_attribution_checksums():
    data_dir = osp.join(REPO, 'snippet_plugin', 'ingest', 'mocapmix',
                        'data')
    with open(osp.join(data_dir, 'ATTRIBUTION.md')) as f:
        listed = re.findall(r'^([0-9a-f]{64})  (\S+)$', f.read(), re.M)
    assert len(listed) == 22  # 20 clips, the URDF and the licence
    for digest, name in listed:
        with open(osp.join(data_dir, name), 'rb') as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest, name
    for clip in CLIP_NAMES:
        assert osp.isfile(clip_path(clip))


def test_class_list_covers_every_clip_once():
    assert CLASSES == ('walk', 'run', 'turn', 'jump', 'kick', 'punch',
                       'spinkick', 'backflip', 'cartwheel', 'roll', 'crawl',
                       'dance', 'getup', 'spin')
    assert sorted(CLIP_NAMES) == sorted(
        c for clips in CLASS_CLIPS.values() for c in clips)
    assert len(CLIP_NAMES) == len(set(CLIP_NAMES)) == 20


@pytest.mark.parametrize('name, speed, frames', [
    ('kick', 1.0, 47),  # 46 intervals of 1/30 s = 1.5333 s -> 0..46
    ('kick', 1.25, 37),  # 1.5333 s / (1.25 / 30 s) = 36.8 -> 0..36
    ('backflip', 1.0, 53),  # 28 x 1/16 s = 1.75 s = 52.5 frames -> 0..52
    ('walk', 1.0, 39),  # 38 x 0.033332 s (1/30 rounded) -> 0..38
    ('walker/turn_left0', 0.8, 47),  # 37/30 s / (0.8/30 s) = 46.25 -> 0..46
])
def test_resampled_frame_count(name, speed, frames):
    clip = read_clip(name)
    assert natural_num_frames(clip, speed) == frames
    assert len(sample_clip(clip, frames, speed)) == frames
    if not clip.cyclic:
        with pytest.raises(ValueError):
            sample_clip(clip, frames + 1, speed)


def test_load_clip_is_thirty_fps_ntu():
    joints = load_clip('kick')
    assert joints.shape == (47, 25, 3) and joints.dtype == np.float32


def test_resampling_lerps_root_and_slerps_rotations():
    rotations = np.zeros((2, 13, 4))
    rotations[..., 0] = 1.0
    half = np.deg2rad(90) / 2  # chest turns 90 deg about x over 1 s
    rotations[1, 1] = [np.cos(half), np.sin(half), 0.0, 0.0]
    clip = MotionClip('synthetic', 'walk', False, np.array([0.0, 1.0]),
                      PoseSequence(np.array([[0.0, 0.9, 0.0],
                                             [1.5, 0.9, 0.0]]), rotations))
    pose = sample_clip(clip, 31)
    np.testing.assert_allclose(pose.root_pos[15], [0.75, 0.9, 0.0])
    np.testing.assert_allclose(pose.root_pos[:, 0], np.arange(31) * 0.05,
                               atol=1e-12)
    quarter = np.deg2rad(45) / 2
    np.testing.assert_allclose(pose.rotations[15, 1],
                               [np.cos(quarter), np.sin(quarter), 0, 0])
    slow = sample_clip(clip, 11, speed=0.5, phase=0.5)  # 0.5 .. 0.6667 s
    np.testing.assert_allclose(slow.root_pos[10, 0], 1.5 * (0.5 + 10 / 60))


@pytest.mark.parametrize('name', ['walk', 'walker/turn_right0', 'crawl'])
def test_loops_carry_root_and_heading_without_jumps(name):
    clip = read_clip(name)
    cycle = clip.duration
    frames = int(3.4 * cycle * 30)
    joints = pose_to_ntu25(sample_clip(clip, frames))
    steps = np.linalg.norm(np.diff(joints, axis=0), axis=-1).max(axis=1)
    loop_steps = [int(np.floor(k * cycle * 30)) for k in (1, 2, 3)]
    assert steps[loop_steps].max() <= np.percentile(steps, 99) + 1e-9
    # After one cycle the root heading has turned by the clip's own
    # first-to-last heading change.
    step = heading_angle(clip.pose.rotations[-1, 0]) - heading_angle(
        clip.pose.rotations[0, 0])
    one_cycle = sample_clip(clip, 2, speed=cycle * 30)  # t = 0 and t = cycle
    turned = heading_angle(one_cycle.rotations[1, 0]) - heading_angle(
        one_cycle.rotations[0, 0])
    assert np.angle(np.exp(1j * (turned - step))) == pytest.approx(0,
                                                                   abs=1e-6)


def test_walk_clip_matches_source_sanity_numbers():
    joints = load_clip('walk')
    # SOURCES.md: feet about 0.05 m above the ground, neck about 1.3 m.
    ankle_floor = joints[:, [14, 18], 2].min(axis=0)
    assert np.all((ankle_floor > 0.03) & (ankle_floor < 0.08))
    assert joints[:, 20, 2].mean() == pytest.approx(1.3, abs=0.05)

"""Forward kinematics and the NTU-25 map of the DeepMimic humanoid
(snippet_plugin.ingest.mocapmix.kinematics): URDF offsets, FK by hand, the
DeepMimic frame layout, heading, mirroring, z-up, and rigid bones over
clips."""
import numpy as np
import pytest

from snippet_plugin.datasets.annotation import NTU25_BONES
from snippet_plugin.ingest.mocapmix.clips import load_clip
from snippet_plugin.ingest.mocapmix.kinematics import (
    HUMANOID_JOINTS, ROTATED_JOINTS, PoseSequence, forward_kinematics,
    heading_angle, mirror_pose, parse_deepmimic_frames, parse_urdf,
    pose_to_ntu25, y_up_to_z_up)
from snippet_plugin.ingest.quaternion import quat_multiply
from helpers import axis_angle

S = 0.25  # globalScaling of the DeepMimic humanoid: URDF units -> metres
# URDF joint origins, copied from humanoid.urdf by hand (model units).
CHEST = np.array([0.0, 0.944604, 0.0])
NECK = np.array([0.0, 0.895576, 0.0])
R_HIP = np.array([0.0, 0.0, 0.339548])
L_HIP = np.array([0.0, 0.0, -0.339548])
KNEE = np.array([0.0, -1.686184, 0.0])
ANKLE = np.array([0.0, -1.639480, 0.0])
R_SHOULDER = np.array([-0.0962, 0.974, 0.73244])
L_SHOULDER = np.array([-0.0962, 0.974, -0.73244])
ELBOW = np.array([0.0, -1.099152, 0.0])
WRIST = np.array([0.0, -1.035788, 0.0])


def rest_pose(root=(0.0, 0.0, 0.0), frames=1):
    """All-identity rotations at root position ``root``."""
    rotations = np.zeros((frames, len(ROTATED_JOINTS), 4))
    rotations[..., 0] = 1.0
    return PoseSequence(np.tile(np.asarray(root, float), (frames, 1)),
                        rotations)


def random_pose(rng, frames=5):
    """Random unit rotations and root positions."""
    q = rng.normal(size=(frames, len(ROTATED_JOINTS), 4))
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    return PoseSequence(rng.normal(size=(frames, 3)), q)


def test_parse_urdf_offsets_in_metres():
    skeleton = parse_urdf()
    offsets = dict(zip(HUMANOID_JOINTS, skeleton.offsets))
    np.testing.assert_allclose(offsets['chest'], CHEST * S)
    np.testing.assert_allclose(offsets['left_shoulder'], L_SHOULDER * S)
    np.testing.assert_allclose(offsets['right_wrist'], WRIST * S)
    parents = {name: (HUMANOID_JOINTS[p] if p >= 0 else None)
               for name, p in zip(HUMANOID_JOINTS, skeleton.parents)}
    assert parents['root'] is None
    assert parents['left_knee'] == 'left_hip'
    assert parents['right_shoulder'] == 'chest'
    assert parents['neck'] == 'chest'


def test_rest_pose_fk_is_sum_of_urdf_offsets():
    root = np.array([0.3, 0.9, -0.2])
    positions, _ = forward_kinematics(rest_pose(root))
    expected = {
        'root': root,
        'chest': root + S * CHEST,
        'neck': root + S * (CHEST + NECK),
        'right_hip': root + S * R_HIP,
        'right_knee': root + S * (R_HIP + KNEE),
        'right_ankle': root + S * (R_HIP + KNEE + ANKLE),
        'right_shoulder': root + S * (CHEST + R_SHOULDER),
        'right_elbow': root + S * (CHEST + R_SHOULDER + ELBOW),
        'right_wrist': root + S * (CHEST + R_SHOULDER + ELBOW + WRIST),
        'left_hip': root + S * L_HIP,
        'left_knee': root + S * (L_HIP + KNEE),
        'left_ankle': root + S * (L_HIP + KNEE + ANKLE),
        'left_shoulder': root + S * (CHEST + L_SHOULDER),
        'left_elbow': root + S * (CHEST + L_SHOULDER + ELBOW),
        'left_wrist': root + S * (CHEST + L_SHOULDER + ELBOW + WRIST),
    }
    for j, name in enumerate(HUMANOID_JOINTS):
        np.testing.assert_allclose(positions[0, j], expected[name],
                                   atol=1e-12, err_msg=name)


def test_fk_bent_knee_and_turned_root():
    pose = rest_pose()
    knee = ROTATED_JOINTS.index('right_knee')
    pose.rotations[0, knee] = axis_angle([0, 0, 1], -90)  # flex backwards
    pose.rotations[0, 0] = axis_angle([0, 1, 0], 90)  # turn left about up
    positions, _ = forward_kinematics(pose)
    # R_y(90): (x, y, z) -> (z, y, -x). Hip (0, 0, h) -> (h, 0, 0).
    hip = np.array([R_HIP[2], 0.0, 0.0]) * S
    # Shin, (0, -L, 0) turned by R_z(-90) -> (-L, 0, 0), then by R_y(90).
    shin = np.array([0.0, 0.0, -ANKLE[1]]) * S
    knee_pos = hip + np.array([0.0, KNEE[1], 0.0]) * S
    np.testing.assert_allclose(
        positions[0, HUMANOID_JOINTS.index('right_knee')], knee_pos,
        atol=1e-12)
    np.testing.assert_allclose(
        positions[0, HUMANOID_JOINTS.index('right_ankle')], knee_pos + shin,
        atol=1e-12)


def test_deepmimic_frame_layout():
    frame = np.zeros(44)
    frame[0] = 1 / 30
    frame[1:4] = [1.0, 0.8, 2.0]
    frame[4:8] = [2.0, 0.0, 0.0, 0.0]  # unnormalised identity
    frame[8:44] = np.nan
    columns = {'chest': 8, 'neck': 12, 'right_hip': 16, 'right_ankle': 21,
               'right_shoulder': 25, 'left_hip': 30, 'left_ankle': 35,
               'left_shoulder': 39}
    hinges = {'right_knee': 20, 'right_elbow': 29, 'left_knee': 34,
              'left_elbow': 43}
    for name, col in columns.items():
        frame[col:col + 4] = axis_angle([1, 0, 0], 10 * (col % 7 + 1))
    for name, col in hinges.items():
        frame[col] = np.deg2rad(col)
    durations, pose = parse_deepmimic_frames(frame[None])
    assert durations[0] == pytest.approx(1 / 30)
    np.testing.assert_allclose(pose.root_pos[0], [1.0, 0.8, 2.0])
    np.testing.assert_allclose(pose.rotations[0, 0], [1, 0, 0, 0])
    for name, col in columns.items():
        np.testing.assert_allclose(
            pose.rotations[0, ROTATED_JOINTS.index(name)],
            axis_angle([1, 0, 0], 10 * (col % 7 + 1)), err_msg=name)
    for name, col in hinges.items():
        np.testing.assert_allclose(
            pose.rotations[0, ROTATED_JOINTS.index(name)],
            axis_angle([0, 0, 1], col), err_msg=name)


def test_heading_ignores_lean_and_crawl_pitch():
    for degrees in (-150, -30, 0, 45, 170):
        yaw = axis_angle([0, 1, 0], degrees)
        pitched = quat_multiply(yaw, axis_angle([0, 0, 1], -80))  # crawl
        rolled = quat_multiply(yaw, axis_angle([1, 0, 0], 60))  # side lean
        for q in (yaw, pitched, rolled):
            assert np.rad2deg(heading_angle(q)) == pytest.approx(degrees)


def test_mirror_reflects_and_swaps_sides():
    pose = random_pose(np.random.default_rng(0))
    mirrored = mirror_pose(pose)
    twice = mirror_pose(mirrored)
    np.testing.assert_array_equal(twice.root_pos, pose.root_pos)
    np.testing.assert_array_equal(twice.rotations, pose.rotations)
    positions, _ = forward_kinematics(pose)
    mirrored_positions, _ = forward_kinematics(mirrored)
    for j, name in enumerate(HUMANOID_JOINTS):
        other = name.replace('left', 'LEFT').replace('right', 'left').replace(
            'LEFT', 'right')
        expected = positions[:, HUMANOID_JOINTS.index(other)] * [1, 1, -1]
        np.testing.assert_allclose(mirrored_positions[:, j], expected,
                                   atol=1e-12, err_msg=name)


def test_z_up_conversion_is_a_rotation():
    rotation = y_up_to_z_up(np.eye(3)).T  # columns: images of x, y, z
    assert np.linalg.det(rotation) == pytest.approx(1.0)
    np.testing.assert_allclose(y_up_to_z_up(np.array([0.0, 1.0, 0.0])),
                               [0, 0, 1])


def test_ntu_rest_pose_is_upright_with_left_on_the_left():
    joints = pose_to_ntu25(rest_pose(root=(0.0, 0.9, 0.0)))[0]
    up = joints[3] - joints[0]  # head above spine base
    forward = joints[15] - joints[14]  # foot is ahead of the ankle
    up = up / np.linalg.norm(up)
    forward = forward - forward @ up * up
    left = np.cross(up, forward / np.linalg.norm(forward))
    assert up[2] > 0.5 and abs(up[0]) < 0.05 and abs(up[1]) < 0.05
    assert (joints[4] - joints[8]) @ left > 0.3  # shoulders 4 = L, 8 = R
    assert (joints[12] - joints[16]) @ left > 0.1  # hips 12 = L, 16 = R
    assert (joints[22] - joints[21]) @ forward > 0  # thumbs point forward
    # Spine shoulder 20 is the neck joint, spine mid 1 the chest joint.
    np.testing.assert_allclose(joints[20, 2] - joints[0, 2],
                               S * (CHEST + NECK)[1], atol=1e-12)
    np.testing.assert_allclose(joints[1, 2] - joints[0, 2], S * CHEST[1],
                               atol=1e-12)


@pytest.mark.parametrize('name', ['kick', 'cartwheel', 'walker/turn_left0'])
def test_bone_lengths_are_rigid_over_a_clip(name):
    joints = load_clip(name).astype(np.float64)
    rest = pose_to_ntu25(rest_pose())[0]
    for child, parent in NTU25_BONES:
        lengths = np.linalg.norm(joints[:, child] - joints[:, parent], axis=1)
        expected = np.linalg.norm(rest[child] - rest[parent])
        np.testing.assert_allclose(lengths, expected, atol=1e-5,
                                   err_msg=f'bone {child}-{parent}')

"""The Bandai-Namco skeleton (snippet_plugin.ingest.bandaimix.skeleton):
clip poses, the NTU-25 map (upright, left on the left, rigid bones) on
generated full-skeleton BVH files with the Bandai-Namco joint names."""
import numpy as np
import pytest
from bandai_fixtures import bvh_text, motion

from snippet_plugin.datasets.annotation import NTU25_BONES
from snippet_plugin.ingest.bandaimix.bvh import (BvhError, joint_positions,
                                                 parse_bvh)
from snippet_plugin.ingest.bandaimix.skeleton import (BVH_JOINTS,
                                                      NON_RIGID_BONES,
                                                      POSE_JOINTS,
                                                      clip_pose,
                                                      pose_to_ntu25,
                                                      reference_skeleton)
from snippet_plugin.ingest.motion import Y_UP_TO_Z_UP


def clip_of(values, name='clip.bvh'):
    return parse_bvh(bvh_text(values), name)


@pytest.fixture(scope='module')
def standing():
    """NTU joints of the generated standing pose and its skeleton."""
    clip = clip_of(motion(2))
    skeleton = reference_skeleton(clip)
    return pose_to_ntu25(clip_pose(clip, skeleton), skeleton)[0], skeleton


def test_standing_pose_positions_worked_by_hand(standing):
    joints, skeleton = standing
    # y-up cm -> z-up m: (x, y, z) -> (x, -z, y) / 100. Hips at 90 cm.
    np.testing.assert_allclose(joints[0], [0, 0, 0.90], atol=1e-12)
    np.testing.assert_allclose(joints[1], [0, 0, 0.90 + 0.15 + 0.09],
                               atol=1e-12)  # spine mid = Chest
    np.testing.assert_allclose(joints[20], [0, 0, 1.30], atol=1e-12)  # Neck
    np.testing.assert_allclose(joints[2], [0, 0, 1.36], atol=1e-12)  # Head
    np.testing.assert_allclose(joints[3], [0, 0, 1.44], atol=1e-12)
    # Left arm hangs at x = 0.05 + 0.05 (clavicle + shoulder offset).
    np.testing.assert_allclose(joints[4], [0.10, 0, 1.27], atol=1e-12)
    np.testing.assert_allclose(joints[6], [0.10, 0, 1.27 - 0.46],
                               atol=1e-12)
    # Thumb: 5 cm down the hand, 4 cm forward (-y in z-up).
    np.testing.assert_allclose(joints[22], [0.10, -0.04, 0.76], atol=1e-12)
    np.testing.assert_allclose(joints[24], [-0.10, -0.04, 0.76], atol=1e-12)
    # Toes 12 cm ahead of the ankle.
    np.testing.assert_allclose(joints[15] - joints[14], [0, -0.12, 0],
                               atol=1e-12)
    np.testing.assert_allclose(skeleton.right_axis, [0, 1, 0])


def test_ntu_pose_is_upright_with_left_on_the_left(standing):
    joints, _ = standing
    up = joints[3] - joints[0]
    up /= np.linalg.norm(up)
    forward = joints[15] - joints[14]
    forward -= forward @ up * up
    forward /= np.linalg.norm(forward)
    left = np.cross(up, forward)
    assert up[2] > 0.99
    assert (joints[4] - joints[8]) @ left > 0.15  # shoulders 4 = L, 8 = R
    assert (joints[12] - joints[16]) @ left > 0.1  # hips 12 = L, 16 = R
    assert (joints[14] - joints[18]) @ left > 0.1  # ankles
    assert (joints[22] - joints[21]) @ forward > 0.03  # thumbs forward
    assert (joints[24] - joints[23]) @ forward > 0.03


def test_z_up_conversion_is_a_proper_rotation():
    np.testing.assert_allclose(Y_UP_TO_Z_UP @ Y_UP_TO_Z_UP.T, np.eye(3))
    assert np.linalg.det(Y_UP_TO_Z_UP) == pytest.approx(1.0)


def test_bone_lengths_rigid_except_the_skipped_joints():
    clip = clip_of(motion(60, sway_degrees=25.0, speed=2.0, seed=3))
    skeleton = reference_skeleton(clip)
    joints = pose_to_ntu25(clip_pose(clip, skeleton), skeleton)
    for child, parent in NTU25_BONES:
        lengths = np.linalg.norm(joints[:, child] - joints[:, parent],
                                 axis=1)
        if (child, parent) in NON_RIGID_BONES:
            assert np.ptp(lengths) > 1e-3, (child, parent)  # spans a joint
        else:
            assert np.ptp(lengths) < 1e-9, (child, parent)


def test_pose_matches_the_clip_kinematics_with_root_travel():
    # joint_Root carries travel (as in four dataset-1 clips): folded into
    # the hips, the pose gives the same world joints as the BVH itself.
    values = motion(30, sway_degrees=20.0, speed=1.0, root_travel=4.0,
                    seed=5)
    values[:, 3:6] = [30.0, 10.0, -20.0]  # and a turned capture origin
    clip = clip_of(values)
    skeleton = reference_skeleton(clip)
    pose = clip_pose(clip, skeleton)
    assert pose.rotations.shape == (30, len(POSE_JOINTS), 4)
    joints = pose_to_ntu25(pose, skeleton)
    direct = joint_positions(clip) * 0.01 @ Y_UP_TO_Z_UP.T
    for ntu, name in ((0, 'Hips'), (1, 'Chest'), (14, 'Foot_L'),
                      (9, 'LowerArm_R'), (15, 'Toes_L')):
        np.testing.assert_allclose(joints[:, ntu],
                                   direct[:, BVH_JOINTS.index(name)],
                                   atol=1e-12, err_msg=name)


def test_another_body_is_refused_with_file_line_and_joint():
    reference = reference_skeleton(clip_of(motion(3)))
    values = motion(3)
    values[2, 6 * BVH_JOINTS.index('LowerLeg_R')] -= 0.5  # 5 mm longer
    clip = clip_of(values, 'long_shin.bvh')
    with pytest.raises(BvhError, match=r"long_shin\.bvh, line \d+: frame 2, "
                       r"joint 'LowerLeg_R' is translated by \[-39\.5, 0\.0,"
                       r" 0\.0\] cm, 0\.5000 cm from the reference"):
        clip_pose(clip, reference)
    assert clip.motion_line + 2 == len(bvh_text(values).splitlines())


def test_another_hierarchy_is_refused():
    text = bvh_text(motion(2)).replace('JOINT Toes_R', 'JOINT Toe_R')
    with pytest.raises(BvhError, match=r"other\.bvh: joints .* differ from "
                       'the Bandai-Namco skeleton'):
        reference_skeleton(parse_bvh(text, 'other.bvh'))

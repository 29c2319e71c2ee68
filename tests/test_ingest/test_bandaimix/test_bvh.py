"""The BVH reader and forward kinematics
(snippet_plugin.ingest.bandaimix.bvh): positions worked by hand, and every
kind of bad input refused with the file and line."""
import numpy as np
import pytest

from snippet_plugin.ingest.bandaimix.bvh import (BvhError, forward_kinematics,
                                                 joint_positions,
                                                 local_transforms, parse_bvh,
                                                 read_bvh)

# A 3-joint chain; the root's OFFSET is stale (its channels replace it), B
# has position channels that replace its OFFSET too.
CHAIN = """HIERARCHY
ROOT A
{
  OFFSET 100 100 100
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT B
  {
    OFFSET 10 0 0
    CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
    JOINT C
    {
      OFFSET 0 5 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      End Site
      {
        OFFSET 0 0 2
      }
    }
  }
}
MOTION
Frames: 4
Frame Time: 0.0333333
"""
FRAMES = [
    # A: position, Z X Y   B: position, Z X Y     C: Z X Y
    '1 2 3 0 0 0  10 0 0 0 0 0  0 0 0',
    '1 2 3 90 0 0  10 0 0 0 90 0  0 0 0',
    '1 2 3 90 0 90  10 0 0 0 0 0  0 0 0',
    '0 0 0 0 0 0  20 0 0 0 0 0  0 0 0',
]
MOTION_LINE = 24  # line of the first frame


def chain_text(frames=FRAMES, header=CHAIN):
    return header + '\n'.join(frames) + '\n'


def test_chain_positions_worked_by_hand():
    clip = parse_bvh(chain_text(), 'chain.bvh')
    assert clip.skeleton.names == ('A', 'B', 'C')
    np.testing.assert_array_equal(clip.skeleton.parents, [-1, 0, 1])
    assert clip.frame_time == pytest.approx(1 / 30, abs=1e-6)
    assert clip.motion_line == MOTION_LINE
    p = joint_positions(clip)
    # Frame 0: no rotation. The root's channels replace its OFFSET.
    np.testing.assert_allclose(p[0], [[1, 2, 3], [11, 2, 3], [11, 7, 3]],
                               atol=1e-12)
    # Frame 1: A turns 90 deg about z (x -> y, y -> -x): B = A + (0, 10, 0).
    # B turns 90 deg about x (y -> z): C = B + Rz Rx (0, 5, 0) = B + (0, 0, 5).
    np.testing.assert_allclose(p[1], [[1, 2, 3], [1, 12, 3], [1, 12, 8]],
                               atol=1e-12)
    # Frame 2: A has Z = 90 then Y = 90 (order Z X Y, intrinsic): R = Rz Ry.
    # Ry(90) (10, 0, 0) = (0, 0, -10), Rz leaves it: B = A + (0, 0, -10).
    # C: Rz Ry (0, 5, 0) = Rz (0, 5, 0) = (-5, 0, 0). (The order Y then Z
    # would give B = A + (0, 10, 0).)
    np.testing.assert_allclose(p[2], [[1, 2, 3], [1, 2, -7], [-4, 2, -7]],
                               atol=1e-12)
    # Frame 3: B's position channel (20, 0, 0) replaces its OFFSET.
    np.testing.assert_allclose(p[3, 1], [20, 0, 0], atol=1e-12)


def test_end_sites_and_local_transforms():
    clip = parse_bvh(chain_text(), 'chain.bvh')
    (parent, offset), = clip.skeleton.end_sites
    assert parent == 2
    np.testing.assert_array_equal(offset, [0, 0, 2])
    translations, rotations = local_transforms(clip)
    np.testing.assert_array_equal(translations[:, 2], [[0, 5, 0]] * 4)
    half = np.sqrt(0.5)
    np.testing.assert_allclose(rotations[1, 0], [half, 0, 0, half])  # z 90
    np.testing.assert_allclose(rotations[1, 1], [half, half, 0, 0])  # x 90


def test_forward_kinematics_broadcasts_constant_translations():
    rotations = np.zeros((2, 2, 4))
    rotations[..., 0] = 1.0
    rotations[1, 0] = [np.cos(np.pi / 4), 0, np.sin(np.pi / 4), 0]  # y 90
    positions, orientations = forward_kinematics(
        np.array([-1, 0]), np.array([[0.0, 0, 0], [1.0, 0, 0]]), rotations)
    np.testing.assert_allclose(positions[:, 1], [[1, 0, 0], [0, 0, -1]],
                               atol=1e-12)
    np.testing.assert_allclose(orientations[1, 1], rotations[1, 0])


def test_read_bvh_reads_a_file(tmp_path):
    path = tmp_path / 'chain.bvh'
    path.write_text(chain_text())
    clip = read_bvh(str(path))
    assert clip.path == str(path) and clip.motion.shape == (4, 15)


def bad_input_error(tmp_path, text):
    path = tmp_path / 'bad.bvh'
    path.write_text(text)
    with pytest.raises(BvhError) as err:
        read_bvh(str(path))
    return str(err.value)


@pytest.mark.parametrize('case, message', [
    ('truncated MOTION block',
     "bad.bvh, line 26: file ends after 3 of the 4 frames that \"Frames:\" "
     'declares (truncated MOTION block?)'),
    ('a frame with one value missing',
     'bad.bvh, line 25: frame 1: 14 values, the hierarchy declares 15 '
     'channels (3 joints)'),
    ('NaN', "bad.bvh, line 26: frame 2, joint 'B', Xrotation: non-finite "
     "value 'nan'"),
    ('not a number', "bad.bvh, line 24: frame 0, joint 'C', Yrotation: 'x' "
     'is not a number'),
    ('more frames than Frames:',
     'bad.bvh, line 28: frame 5 found but "Frames:" declares 4 frames'),
    ('unknown channel name',
     "bad.bvh, line 13: joint 'C': unknown channel 'Wrotation'; expected one "
     'of Xposition, Yposition, Zposition, Xrotation, Yrotation, Zrotation'),
    ('CHANNELS count differs from its list',
     "bad.bvh, line 13: joint 'C': CHANNELS declares 3 channels but lists 2"),
])
def test_bad_input_names_file_and_line(tmp_path, case, message):
    frames = list(FRAMES)
    header = CHAIN
    if case == 'truncated MOTION block':
        frames = frames[:3]
    elif case == 'a frame with one value missing':
        frames[1] = frames[1].rsplit(' ', 1)[0]
    elif case == 'NaN':
        frames[2] = frames[2].replace('10 0 0 0 0 0', '10 0 0 0 nan 0')
    elif case == 'not a number':
        frames[0] = frames[0][:-1] + 'x'
    elif case == 'more frames than Frames:':
        frames = frames + [frames[0]]
    elif case == 'unknown channel name':
        header = CHAIN.replace('CHANNELS 3 Zrotation Xrotation Yrotation',
                               'CHANNELS 3 Zrotation Xrotation Wrotation')
    else:
        header = CHAIN.replace('CHANNELS 3 Zrotation Xrotation Yrotation',
                               'CHANNELS 3 Zrotation Xrotation')
    assert bad_input_error(tmp_path, chain_text(frames, header)).endswith(
        message)


def test_bad_hierarchy_lines_are_named(tmp_path):
    no_brace = CHAIN.replace('  JOINT B\n  {', '  JOINT B\n  OFFSET 1 2 3')
    assert 'bad.bvh, line 7: expected \'{\' after joint \'B\'' in \
        bad_input_error(tmp_path, chain_text(header=no_brace))
    no_motion = CHAIN.split('MOTION')[0]
    assert bad_input_error(tmp_path, no_motion).endswith(
        'line 20: file ends early, expected MOTION')
    bad_time = CHAIN.replace('Frame Time: 0.0333333', 'Frame Time: 0')
    assert bad_input_error(tmp_path, chain_text(header=bad_time)).endswith(
        'line 23: Frame Time must be positive, got 0')

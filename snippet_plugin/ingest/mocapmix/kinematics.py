"""Forward kinematics of the DeepMimic humanoid and its NTU-25 joint map.

The humanoid (``data/humanoid.urdf``) is a tree of 15 joints::

    root ─┬─ chest ─┬─ neck
          │         ├─ right_shoulder ─ right_elbow ─ right_wrist
          │         └─ left_shoulder ─ left_elbow ─ left_wrist
          ├─ right_hip ─ right_knee ─ right_ankle
          └─ left_hip ─ left_knee ─ left_ankle

Source frame conventions (clip files and URDF): **y up**, the body faces
``+x`` in the rest pose and ``+z`` points to the body's right, so the frame
is right-handed (``right = forward x up``). URDF offsets are in model units;
the pybullet DeepMimic environment loads the URDF with ``globalScaling =
0.25``, so ``offset * 0.25`` is in metres (root positions in the clips are
already in metres). Knees and elbows are hinges about their local ``z``.

A pose is a :class:`PoseSequence`: root positions ``(T, 3)`` and the local
rotations ``(T, 13, 4)`` of :data:`ROTATED_JOINTS` as ``(w, x, y, z)``
quaternions (hinge angles are stored as rotations about ``z`` so that every
joint interpolates by slerp). The wrists are fixed to the forearms.

NTU-25 mapping (:func:`humanoid_to_ntu25`). Offsets are in metres in the
named joint's own frame (``x`` forward, ``y`` along the segment towards the
parent-to-child "up", ``z`` right, in the rest pose):

====  ===============  ==================================================
NTU   joint            taken from the humanoid
====  ===============  ==================================================
0     spine base       root (pelvis)
1     spine mid        chest joint (0.236 m above the pelvis, about half
                       way to the shoulder line, like Kinect's spine mid)
2     neck             neck joint + (0, 0.07, 0) in the neck frame
3     head             neck joint + (0, 0.175, 0) in the neck frame: the
                       centre of the URDF's head sphere (neck link
                       collision sphere at 0.7 model units)
4-6   L shoulder,      left shoulder, left elbow, left wrist
      elbow, wrist
7     L hand           left wrist + (0, -0.04, 0) in the forearm frame:
                       along the forearm by the URDF hand-sphere radius
8-10  R shoulder,      right shoulder, right elbow, right wrist
      elbow, wrist
11    R hand           right wrist + (0, -0.04, 0) in the forearm frame
12-14 L hip, knee,     left hip, left knee, left ankle
      ankle
15    L foot           left ankle + (0.09, -0.0225, 0) in the ankle frame:
                       the ball of the URDF's foot box (box centre
                       (0.045, -0.0225, 0) m, front face at x = 0.133 m)
16-18 R hip, knee,     right hip, right knee, right ankle
      ankle
19    R foot           right ankle + (0.09, -0.0225, 0) in the ankle frame
20    spine shoulder   neck joint (at the shoulder line, 2 cm below the
                       shoulder joints)
21    L hand tip       left wrist + (0, -0.08, 0) in the forearm frame
22    L thumb          left wrist + (0.03, -0.04, 0) in the forearm frame
                       (in the rest pose the palm faces the thigh, so the
                       thumb points forward, ``+x``)
23    R hand tip       right wrist + (0, -0.08, 0) in the forearm frame
24    R thumb          right wrist + (0.03, -0.04, 0) in the forearm frame
====  ===============  ==================================================

The hands, head and feet are therefore rigid extensions of the nearest
humanoid segment: the humanoid has no fingers, no head joint and no toes.
:func:`~snippet_plugin.ingest.motion.y_up_to_z_up` finally turns the source
frame into the right-handed z-up frame of the normalised data: ``(x, y, z)
-> (x, -z, y)``, so the rest pose faces ``+x`` with its left on ``+y``.
:class:`~snippet_plugin.ingest.motion.PoseSequence` and the y-up helpers
are shared with BandaiMix (:mod:`snippet_plugin.ingest.motion`).
"""
import os.path as osp
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from typing import Tuple

import numpy as np

from ..motion import PoseSequence, y_up_to_z_up, yaw_quaternion
from ..motion import heading_angle as _heading_about_up
from ..quaternion import (IDENTITY, quat_from_axis_angle, quat_multiply,
                          quat_normalize, quat_rotate)

DATA_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'data')
URDF_PATH = osp.join(DATA_DIR, 'humanoid.urdf')
URDF_TO_METRES = 0.25
"""``globalScaling`` of pybullet's DeepMimic humanoid: URDF units -> m."""

HUMANOID_JOINTS = ('root', 'chest', 'neck', 'right_hip', 'right_knee',
                   'right_ankle', 'right_shoulder', 'right_elbow',
                   'right_wrist', 'left_hip', 'left_knee', 'left_ankle',
                   'left_shoulder', 'left_elbow', 'left_wrist')
"""The 15 humanoid joints, parents before children."""

ROTATED_JOINTS = ('root', 'chest', 'neck', 'right_hip', 'right_knee',
                  'right_ankle', 'right_shoulder', 'right_elbow', 'left_hip',
                  'left_knee', 'left_ankle', 'left_shoulder', 'left_elbow')
"""Joints with a rotation in a clip frame, in :class:`PoseSequence` order."""

HINGE_JOINTS = ('right_knee', 'right_elbow', 'left_knee', 'left_elbow')
"""One-angle joints; the angle is a rotation about the local ``z`` axis."""

DEEPMIMIC_FRAME_SIZE = 44
"""Floats per clip keyframe: duration, root position, 13 rotations."""

_Z_AXIS = np.array([0.0, 0.0, 1.0])
RIGHT_AXIS = _Z_AXIS
"""The root's local axis pointing to the body's right."""


@dataclass(frozen=True)
class HumanoidSkeleton:
    """Joint tree of the humanoid.

    Attributes:
        parents: ``(15,)`` parent index per joint of
            :data:`HUMANOID_JOINTS` (``-1`` for the root).
        offsets: ``(15, 3)`` joint position in its parent's frame, metres.
    """
    parents: np.ndarray
    offsets: np.ndarray


def parse_urdf(path: str = URDF_PATH) -> HumanoidSkeleton:
    """Read the joint tree of :data:`HUMANOID_JOINTS` from a URDF file.

    Every URDF joint names its child link after itself; the root joint's
    parent is the massless ``base`` link, placed at the root. Trailing NUL
    bytes (the pybullet copy of ``humanoid.urdf`` ends with one) are
    ignored.

    Returns:
        The skeleton with offsets converted to metres.
    """
    joints = {}
    with open(path, 'rb') as f:
        robot = ET.fromstring(f.read().rstrip(b'\0'))
    for joint in robot.iter('joint'):
        parent = joint.find('parent').get('link')
        xyz = [float(v) for v in joint.find('origin').get('xyz').split()]
        joints[joint.get('name')] = (parent, np.array(xyz))
    index = {name: i for i, name in enumerate(HUMANOID_JOINTS)}
    parents = np.array([index.get(joints[name][0], -1)
                        for name in HUMANOID_JOINTS])
    offsets = np.stack([joints[name][1] for name in HUMANOID_JOINTS])
    return HumanoidSkeleton(parents=parents, offsets=offsets * URDF_TO_METRES)


@lru_cache(maxsize=1)
def default_skeleton() -> HumanoidSkeleton:
    """The skeleton of the bundled ``humanoid.urdf`` (parsed once)."""
    return parse_urdf(URDF_PATH)


def parse_deepmimic_frames(
        frames: np.ndarray) -> Tuple[np.ndarray, PoseSequence]:
    """Split DeepMimic keyframes into durations and a pose sequence.

    Keyframe layout (44 floats): ``[0]`` duration in s until the next
    keyframe, ``[1:4]`` root position, ``[4:8]`` root rotation, then for
    :data:`ROTATED_JOINTS[1:]` a quaternion (4 floats) or, for
    :data:`HINGE_JOINTS`, one angle in radians.

    Args:
        frames: ``(N, 44)`` keyframes.

    Returns:
        ``durations (N,)`` and the ``N``-frame pose (unit quaternions).
    """
    frames = np.asarray(frames, dtype=np.float64)
    if frames.ndim != 2 or frames.shape[1] != DEEPMIMIC_FRAME_SIZE:
        raise ValueError(f'expected (N, {DEEPMIMIC_FRAME_SIZE}) keyframes, '
                         f'got {frames.shape}')
    rotations = []
    column = 4
    for name in ROTATED_JOINTS:
        if name in HINGE_JOINTS:
            rotations.append(quat_from_axis_angle(_Z_AXIS, frames[:, column]))
            column += 1
        else:
            rotations.append(quat_normalize(frames[:, column:column + 4]))
            column += 4
    return frames[:, 0].copy(), PoseSequence(frames[:, 1:4].copy(),
                                             np.stack(rotations, axis=1))


def heading_angle(root_rotation: np.ndarray) -> np.ndarray:
    """Facing direction about the up (``y``) axis, radians ``(...)``.

    Read from the body's left-right (hip) axis, local ``+z``
    (:data:`RIGHT_AXIS`; see :func:`snippet_plugin.ingest.motion.
    heading_angle`). The rest pose has heading 0 (facing ``+x``); a heading
    ``a`` faces ``R_y(a) x``.

    Args:
        root_rotation: ``(..., 4)`` root rotations.
    """
    return _heading_about_up(root_rotation, RIGHT_AXIS)


def mirror_pose(pose: PoseSequence) -> PoseSequence:
    """Left-right mirror image of a motion.

    Reflects the world through the ``x-y`` plane (``z -> -z``, the body's
    lateral axis in the rest pose) and swaps the left and right joints, so
    the result is again a right-handed body (a right kick becomes a left
    kick, a left turn a right turn). The humanoid is symmetric about that
    plane, so reflecting the rotations is exact: ``M R M`` with ``M =
    diag(1, 1, -1)`` is the quaternion ``(w, -x, -y, z)``. Mirroring twice
    is the identity.

    Args:
        pose: ``T``-frame pose.

    Returns:
        The mirrored ``T``-frame pose.
    """
    rotations = pose.rotations * np.array([1.0, -1.0, -1.0, 1.0])
    swap = [ROTATED_JOINTS.index(_swap_side(name)) for name in ROTATED_JOINTS]
    return PoseSequence(pose.root_pos * np.array([1.0, 1.0, -1.0]),
                        rotations[:, swap])


def _swap_side(name: str) -> str:
    """``left_x`` <-> ``right_x``; other names unchanged."""
    if name.startswith('left_'):
        return 'right_' + name[5:]
    if name.startswith('right_'):
        return 'left_' + name[6:]
    return name


def forward_kinematics(
        pose: PoseSequence,
        skeleton: HumanoidSkeleton = None) -> Tuple[np.ndarray, np.ndarray]:
    """World positions and orientations of the 15 humanoid joints.

    ``p_j = p_parent + R_parent offset_j`` and ``R_j = R_parent q_j`` down
    the tree; the fixed wrists take their forearm's orientation.

    Args:
        pose: ``T``-frame pose.
        skeleton: Joint tree; default the bundled URDF.

    Returns:
        ``positions (T, 15, 3)`` in metres and ``orientations (T, 15, 4)``,
        both in the source (y-up) frame, joints in
        :data:`HUMANOID_JOINTS` order.
    """
    skeleton = skeleton or default_skeleton()
    num_frames = len(pose)
    positions = np.zeros((num_frames, len(HUMANOID_JOINTS), 3))
    orientations = np.zeros((num_frames, len(HUMANOID_JOINTS), 4))
    for j, name in enumerate(HUMANOID_JOINTS):
        parent = skeleton.parents[j]
        if parent < 0:
            positions[:, j] = pose.root_pos
            parent_rotation = np.broadcast_to(IDENTITY, (num_frames, 4))
        else:
            parent_rotation = orientations[:, parent]
            positions[:, j] = positions[:, parent] + quat_rotate(
                parent_rotation,
                np.broadcast_to(skeleton.offsets[j], (num_frames, 3)))
        if name in ROTATED_JOINTS:
            local = pose.rotations[:, ROTATED_JOINTS.index(name)]
            orientations[:, j] = quat_multiply(parent_rotation, local)
        else:
            orientations[:, j] = parent_rotation
    return positions, orientations


# (NTU index, humanoid joint, offset in metres in that joint's frame)
_NTU25_SOURCES = (
    (0, 'root', (0.0, 0.0, 0.0)),
    (1, 'chest', (0.0, 0.0, 0.0)),
    (2, 'neck', (0.0, 0.07, 0.0)),
    (3, 'neck', (0.0, 0.175, 0.0)),
    (4, 'left_shoulder', (0.0, 0.0, 0.0)),
    (5, 'left_elbow', (0.0, 0.0, 0.0)),
    (6, 'left_wrist', (0.0, 0.0, 0.0)),
    (7, 'left_wrist', (0.0, -0.04, 0.0)),
    (8, 'right_shoulder', (0.0, 0.0, 0.0)),
    (9, 'right_elbow', (0.0, 0.0, 0.0)),
    (10, 'right_wrist', (0.0, 0.0, 0.0)),
    (11, 'right_wrist', (0.0, -0.04, 0.0)),
    (12, 'left_hip', (0.0, 0.0, 0.0)),
    (13, 'left_knee', (0.0, 0.0, 0.0)),
    (14, 'left_ankle', (0.0, 0.0, 0.0)),
    (15, 'left_ankle', (0.09, -0.0225, 0.0)),
    (16, 'right_hip', (0.0, 0.0, 0.0)),
    (17, 'right_knee', (0.0, 0.0, 0.0)),
    (18, 'right_ankle', (0.0, 0.0, 0.0)),
    (19, 'right_ankle', (0.09, -0.0225, 0.0)),
    (20, 'neck', (0.0, 0.0, 0.0)),
    (21, 'left_wrist', (0.0, -0.08, 0.0)),
    (22, 'left_wrist', (0.03, -0.04, 0.0)),
    (23, 'right_wrist', (0.0, -0.08, 0.0)),
    (24, 'right_wrist', (0.03, -0.04, 0.0)),
)


def humanoid_to_ntu25(positions: np.ndarray,
                      orientations: np.ndarray) -> np.ndarray:
    """Map humanoid joints to the NTU-25 layout (table in the module doc).

    Args:
        positions: ``(T, 15, 3)`` humanoid joint positions.
        orientations: ``(T, 15, 4)`` humanoid joint orientations.

    Returns:
        ``(T, 25, 3)`` NTU-25 joints, same frame and units as the input.
    """
    source = [HUMANOID_JOINTS.index(name) for _, name, _ in _NTU25_SOURCES]
    offsets = np.array([offset for _, _, offset in _NTU25_SOURCES])
    return positions[:, source] + quat_rotate(
        orientations[:, source],
        np.broadcast_to(offsets, positions.shape[:1] + offsets.shape))


def pose_to_ntu25(pose: PoseSequence,
                  skeleton: HumanoidSkeleton = None) -> np.ndarray:
    """NTU-25 joints ``(T, 25, 3)`` in metres, z up, of a humanoid pose."""
    positions, orientations = forward_kinematics(pose, skeleton)
    return y_up_to_z_up(humanoid_to_ntu25(positions, orientations))


def remove_heading(root_rotation: np.ndarray) -> np.ndarray:
    """Root rotations ``(..., 4)`` turned back to heading 0 (see
    :func:`heading_angle`): ``R_y(-heading) q``."""
    return quat_multiply(yaw_quaternion(-heading_angle(root_rotation)),
                         root_rotation)


__all__ = [
    'HUMANOID_JOINTS', 'ROTATED_JOINTS', 'HINGE_JOINTS', 'URDF_TO_METRES',
    'RIGHT_AXIS', 'HumanoidSkeleton', 'PoseSequence', 'parse_urdf',
    'default_skeleton', 'parse_deepmimic_frames', 'heading_angle',
    'mirror_pose', 'forward_kinematics', 'humanoid_to_ntu25',
    'y_up_to_z_up', 'pose_to_ntu25', 'remove_heading'
]

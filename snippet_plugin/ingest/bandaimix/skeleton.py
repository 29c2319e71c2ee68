"""The Bandai-Namco skeleton: clip poses and the NTU-25 joint map.

Every clip of both datasets has the same hierarchy (:data:`BVH_JOINTS`, 22
joints, all with 6 channels; End Sites with zero offsets after ``Head``,
``Hand_*`` and ``Toes_*``), in centimetres, **y up**. In the motion the
body faces ``+z`` with its left on ``+x`` (``_L`` joints are the
subject's left: in the wave-left-hand clips the left hand rises above the
head), so the frame is right-handed. Each bone lies along its parent-side
joint's local ``x`` axis (``+x`` on the left and the spine, ``-x`` on the
right), the ``Hips`` frame has the body's right on local ``+y``.

``joint_Root`` is the capture origin: always at rest except in four
dataset-1 locomotion clips, where its z position carries the root travel
(the hips then stay near the origin). :func:`clip_pose` folds it into the
hips, so a pose is the hips' world position and rotation plus the local
rotations of the 20 joints below (:data:`POSE_JOINTS`). Translations of the
non-root joints are constant (their channels repeat the ``OFFSET``, see
:mod:`.bvh`); :func:`clip_pose` checks that they match the reference
skeleton within :data:`OFFSET_TOLERANCE_CM` and uses the reference's, so a
stitched sequence has one body.

NTU-25 map (:data:`NTU25_SOURCES`), points in a joint's own frame in cm.
The rig has no finger, head-top or toe-tip joints (its End Sites have zero
offsets), so the hand, hand tip, thumb and head are fixed points of the
hand and head segments, along the incoming bone (the hand's ``x``; ``-x``
on the right) and, for the thumb, the hand's ``+z`` (left) / ``-z``
(right), which points forward and inwards when the arms hang:

====  ===============  ==============================================
NTU   joint            Bandai-Namco source
====  ===============  ==============================================
0     spine base       Hips
1     spine mid        Chest (24.7 cm above the hips, about half way
                       to the shoulder line at ~38 cm)
2     neck             Head joint (top of the neck, 6.5 cm above Neck)
3     head             Head + 8 cm along the neck direction (head
                       centre, estimated)
4-6   L shoulder,      UpperArm_L, LowerArm_L, Hand_L
      elbow, wrist
7     L hand           Hand_L + 8 cm along the forearm (palm centre)
8-10  R shoulder,      UpperArm_R, LowerArm_R, Hand_R
      elbow, wrist
11    R hand           Hand_R + 8 cm along the forearm
12-15 L hip, knee,     UpperLeg_L, LowerLeg_L, Foot_L, Toes_L (the
      ankle, foot      ball of the foot)
16-19 R hip ... foot   UpperLeg_R, LowerLeg_R, Foot_R, Toes_R
20    spine shoulder   Neck (base of the neck, at the shoulder line)
21    L hand tip       Hand_L + 16 cm along the forearm
22    L thumb          Hand_L + 5 cm along the forearm + 4 cm along +z
23    R hand tip       Hand_R + 16 cm along the forearm
24    R thumb          Hand_R + 5 cm along the forearm + 4 cm along -z
====  ===============  ==============================================

Every NTU bone then joins two points fixed in one Bandai segment, so its
length is constant, except the three that span a joint the NTU tree does
not have (:data:`NON_RIGID_BONES`): spine base - spine mid over ``Spine``,
and spine shoulder - shoulders over the clavicles (``Shoulder_L/R``),
like the SMPL-based maps of other datasets. Positions are then converted
to metres and to z up (``(x, y, z) -> (x, -z, y)``, a rotation).
"""
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from ..motion import PoseSequence, y_up_to_z_up
from ..quaternion import quat_multiply, quat_rotate
from .bvh import BvhClip, BvhError, forward_kinematics, local_transforms

BVH_JOINTS = (
    'joint_Root', 'Hips', 'Spine', 'Chest', 'Neck', 'Head', 'Shoulder_L',
    'UpperArm_L', 'LowerArm_L', 'Hand_L', 'Shoulder_R', 'UpperArm_R',
    'LowerArm_R', 'Hand_R', 'UpperLeg_L', 'LowerLeg_L', 'Foot_L', 'Toes_L',
    'UpperLeg_R', 'LowerLeg_R', 'Foot_R', 'Toes_R')
"""The joints of every Bandai-Namco BVH file, in file order."""

BVH_PARENTS = ('', 'joint_Root', 'Hips', 'Spine', 'Chest', 'Neck', 'Chest',
               'Shoulder_L', 'UpperArm_L', 'LowerArm_L', 'Chest',
               'Shoulder_R', 'UpperArm_R', 'LowerArm_R', 'Hips',
               'UpperLeg_L', 'LowerLeg_L', 'Foot_L', 'Hips', 'UpperLeg_R',
               'LowerLeg_R', 'Foot_R')
"""Parent of each of :data:`BVH_JOINTS` (``''`` for the root)."""

POSE_JOINTS = BVH_JOINTS[1:]
"""Joints of a :class:`PoseSequence` (``joint_Root`` folded into Hips)."""

CM_TO_METRES = 0.01
OFFSET_TOLERANCE_CM = 0.1
"""Largest difference between a clip's joint translations and the
reference skeleton's (the files differ by at most 0.04 cm)."""

NTU25_SOURCES = (
    (0, 'Hips', (0.0, 0.0, 0.0)),
    (1, 'Chest', (0.0, 0.0, 0.0)),
    (2, 'Head', (0.0, 0.0, 0.0)),
    (3, 'Head', (8.0, 0.0, 0.0)),
    (4, 'UpperArm_L', (0.0, 0.0, 0.0)),
    (5, 'LowerArm_L', (0.0, 0.0, 0.0)),
    (6, 'Hand_L', (0.0, 0.0, 0.0)),
    (7, 'Hand_L', (8.0, 0.0, 0.0)),
    (8, 'UpperArm_R', (0.0, 0.0, 0.0)),
    (9, 'LowerArm_R', (0.0, 0.0, 0.0)),
    (10, 'Hand_R', (0.0, 0.0, 0.0)),
    (11, 'Hand_R', (-8.0, 0.0, 0.0)),
    (12, 'UpperLeg_L', (0.0, 0.0, 0.0)),
    (13, 'LowerLeg_L', (0.0, 0.0, 0.0)),
    (14, 'Foot_L', (0.0, 0.0, 0.0)),
    (15, 'Toes_L', (0.0, 0.0, 0.0)),
    (16, 'UpperLeg_R', (0.0, 0.0, 0.0)),
    (17, 'LowerLeg_R', (0.0, 0.0, 0.0)),
    (18, 'Foot_R', (0.0, 0.0, 0.0)),
    (19, 'Toes_R', (0.0, 0.0, 0.0)),
    (20, 'Neck', (0.0, 0.0, 0.0)),
    (21, 'Hand_L', (16.0, 0.0, 0.0)),
    (22, 'Hand_L', (5.0, 0.0, 4.0)),
    (23, 'Hand_R', (-16.0, 0.0, 0.0)),
    (24, 'Hand_R', (-5.0, 0.0, -4.0)),
)
"""``(NTU index, Bandai joint, offset in cm in that joint's frame)``."""

NON_RIGID_BONES = ((1, 0), (4, 20), (8, 20))
"""NTU bones ``(child, parent)`` whose length follows a skipped joint
(``Spine``, ``Shoulder_L``, ``Shoulder_R``); every other bone is rigid."""


@dataclass(frozen=True)
class BandaiSkeleton:
    """The reference body of a build (from one clip's hierarchy).

    Attributes:
        parents: int ``(20,)`` parent of each of :data:`POSE_JOINTS` in
            that tuple (``-1`` for Hips).
        offsets: ``(20, 3)`` joint translations in metres (Hips' unused).
        source: The file the offsets were read from.
    """
    parents: np.ndarray
    offsets: np.ndarray
    source: str

    @property
    def right_axis(self) -> np.ndarray:
        """Unit vector in the Hips frame to the body's right (from the
        left to the right hip joint)."""
        side = self.offsets[POSE_JOINTS.index('UpperLeg_R')] - \
            self.offsets[POSE_JOINTS.index('UpperLeg_L')]
        return side / np.linalg.norm(side)


def check_hierarchy(clip: BvhClip) -> None:
    """Refuse a clip whose joints or tree differ from :data:`BVH_JOINTS`.

    Raises:
        BvhError: naming the file and the first difference.
    """
    skeleton = clip.skeleton
    if skeleton.names != BVH_JOINTS:
        raise BvhError(f'{clip.path}: joints {list(skeleton.names)} differ '
                       f'from the Bandai-Namco skeleton {list(BVH_JOINTS)}')
    parents = tuple(skeleton.names[p] if p >= 0 else ''
                    for p in skeleton.parents)
    if parents != BVH_PARENTS:
        joint = next(j for j, (a, b) in enumerate(zip(parents, BVH_PARENTS))
                     if a != b)
        raise BvhError(f'{clip.path}: joint {BVH_JOINTS[joint]!r} has parent '
                       f'{parents[joint]!r}, the Bandai-Namco skeleton has '
                       f'{BVH_PARENTS[joint]!r}')


def reference_skeleton(clip: BvhClip) -> BandaiSkeleton:
    """The body of ``clip``: its first frame's joint translations."""
    check_hierarchy(clip)
    translations = local_transforms(clip)[0][0, 1:]
    parents = clip.skeleton.parents[1:] - 1
    return BandaiSkeleton(parents=parents,
                          offsets=translations * CM_TO_METRES,
                          source=clip.path)


def clip_pose(clip: BvhClip, skeleton: BandaiSkeleton) -> PoseSequence:
    """A clip as a pose of the reference skeleton (metres, y up).

    The root position and rotation are the hips' world ones (``joint_Root``
    composed with ``Hips``); the other rotations are local.

    Raises:
        BvhError: if the hierarchy differs or a joint's translation differs
            from the reference by more than :data:`OFFSET_TOLERANCE_CM` at
            any frame (names the file, joint, frame and motion line).
    """
    check_hierarchy(clip)
    translations, rotations = local_transforms(clip)
    deviation = np.abs(translations[:, 2:] * CM_TO_METRES -
                       skeleton.offsets[None, 1:]).max(axis=-1)
    if deviation.max() > OFFSET_TOLERANCE_CM * CM_TO_METRES:
        frame, joint = np.unravel_index(deviation.argmax(), deviation.shape)
        raise BvhError(
            f'{clip.path}, line {clip.motion_line + frame}: frame {frame}, '
            f'joint {POSE_JOINTS[joint + 1]!r} is translated by '
            f'{translations[frame, joint + 2].round(4).tolist()} cm, '
            f'{deviation[frame, joint] / CM_TO_METRES:.4f} cm from the '
            f'reference skeleton ({skeleton.source}); the builder needs one '
            f'body (tolerance {OFFSET_TOLERANCE_CM} cm)')
    root_pos = translations[:, 0] + quat_rotate(rotations[:, 0],
                                                translations[:, 1])
    pose_rotations = rotations[:, 1:].copy()
    pose_rotations[:, 0] = quat_multiply(rotations[:, 0], rotations[:, 1])
    return PoseSequence(root_pos * CM_TO_METRES, pose_rotations)


def pose_to_ntu25(pose: PoseSequence, skeleton: BandaiSkeleton) -> np.ndarray:
    """NTU-25 joints ``(T, 25, 3)`` in metres, z up (table in module doc)."""
    translations = np.repeat(skeleton.offsets[None], len(pose), axis=0)
    translations[:, 0] = pose.root_pos
    positions, orientations = forward_kinematics(skeleton.parents,
                                                 translations, pose.rotations)
    source = [POSE_JOINTS.index(name) for _, name, _ in NTU25_SOURCES]
    offsets = np.array([offset for _, _, offset in NTU25_SOURCES]) * \
        CM_TO_METRES
    joints = positions[:, source] + quat_rotate(
        orientations[:, source], np.broadcast_to(offsets,
                                                 positions[:, source].shape))
    return y_up_to_z_up(joints)


__all__ = [
    'BVH_JOINTS', 'BVH_PARENTS', 'POSE_JOINTS', 'CM_TO_METRES',
    'OFFSET_TOLERANCE_CM', 'NTU25_SOURCES', 'NON_RIGID_BONES',
    'BandaiSkeleton', 'check_hierarchy', 'reference_skeleton', 'clip_pose',
    'pose_to_ntu25'
]

"""Stitch trimmed motion clips into untrimmed, annotated sequences.

Shared by the MocapMix and BandaiMix builders; nothing here knows a
skeleton beyond a :class:`BodyModel` (the root's right axis and the map to
NTU-25 joints). A sequence is one person doing 3-8 clips in a row:

1. **Plan.** A target length of 300-900 frames is drawn; clips are appended
   until it is reached (at least 3, at most 8; :func:`fill_sequence`).
   Classes come from a shuffled :class:`ClassDeck`, so every class appears
   about equally often and never twice in a row. Each clip after the first
   gets a junction of at least 4-8 frames, plus with probability 0.25 a
   pause of 10-40 frames (a slow transition stretch;
   :func:`draw_min_blend`).
2. **Stitch** (:func:`stitch_poses`), in the y-up pose space of
   :mod:`.motion`. Each clip is turned about the up axis and moved so that
   it starts with the heading and the horizontal root position where the
   previous one ended (plus the distance covered during the junction at the
   mean of the two root speeds). Junction frames blend the last pose into
   the first: slerp of all joint rotations and the root's, lerp of the
   root height (both eased with a smoothstep), linear root travel, and a
   lift where the interpolated limbs would dip into the ground. A junction
   is longer where the poses are far apart (at most 0.04 m of root height
   and 20 deg of any joint per frame).
3. **Annotate** (:func:`make_sample`). Each clip contributes exactly one
   segment ``[start, end, class_id]`` covering its own frames; junction
   frames are background.
"""
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..datasets.annotation import derive_frame_labels, derive_video_labels
from .motion import PoseSequence, heading_angle, rotate_about_up, \
    yaw_quaternion
from .quaternion import quat_angle, quat_multiply, quat_slerp

TARGET_FRAMES = (300, 900)
CLIPS_PER_SEQUENCE = (3, 8)
BLEND_FRAMES = (4, 8)
PAUSE_PROBABILITY = 0.25
PAUSE_FRAMES = (10, 40)
MAX_BLEND_HEIGHT_STEP = 0.04
"""Metres of root height change per junction frame, at most."""
MAX_BLEND_ANGLE_STEP = np.deg2rad(20.0)
"""Radians of any joint's rotation per junction frame, at most."""


@dataclass(frozen=True)
class BodyModel:
    """What stitching needs to know about a skeleton.

    Attributes:
        right_axis: ``(3,)`` unit vector in the root's frame pointing to
            the body's right (defines the heading, see
            :func:`.motion.heading_angle`).
        to_ntu25: Pose -> ``(T, 25, 3)`` NTU-25 joints in metres, z up.
    """
    right_axis: np.ndarray
    to_ntu25: Callable[[PoseSequence], np.ndarray]

    def heading(self, root_rotation: np.ndarray) -> np.ndarray:
        """Heading ``(...)`` of root rotations ``(..., 4)``."""
        return heading_angle(root_rotation, self.right_axis)


class ClassDeck:
    """Draws class ids evenly: a shuffled deck, refilled when empty.

    Args:
        rng: Random generator.
        num_classes: Number of classes ``K``.
    """

    def __init__(self, rng: np.random.Generator, num_classes: int):
        self.rng = rng
        self.num_classes = num_classes
        self.cards: List[int] = []

    def draw(self, exclude: Optional[int] = None,
             allowed: Optional[frozenset] = None) -> int:
        """Next class id from the deck, skipping ``exclude`` and classes
        outside ``allowed`` (those stay in the deck for later draws).

        Raises:
            ValueError: if no class other than ``exclude`` is allowed.
        """
        def eligible(card):
            return card != exclude and (allowed is None or card in allowed)

        if not any(eligible(card) for card in range(self.num_classes)):
            raise ValueError(f'no class to draw: allowed {sorted(allowed)}, '
                             f'excluding {exclude}')
        if not any(eligible(card) for card in self.cards):
            self.cards.extend(self.rng.permutation(self.num_classes).tolist())
        index = next(i for i, card in enumerate(self.cards) if eligible(card))
        return self.cards.pop(index)


def draw_min_blend(rng: np.random.Generator) -> int:
    """Least junction frames before a clip: 4-8, plus with probability
    :data:`PAUSE_PROBABILITY` a pause of 10-40."""
    min_blend = int(rng.integers(BLEND_FRAMES[0], BLEND_FRAMES[1] + 1))
    if rng.random() < PAUSE_PROBABILITY:
        min_blend += int(rng.integers(PAUSE_FRAMES[0], PAUSE_FRAMES[1] + 1))
    return min_blend


def fill_sequence(target: int, next_instance: Callable[[list], object]):
    """Clip instances appended until ``target`` frames are reached.

    Args:
        target: Frames wanted (junctions included).
        next_instance: Called with the instances so far; returns the next
            one, which has ``num_frames`` and ``min_blend`` attributes.

    Returns:
        list of :data:`CLIPS_PER_SEQUENCE` ``[0]``-``[1]`` instances.
    """
    instances: list = []
    total = 0
    while len(instances) < CLIPS_PER_SEQUENCE[1] and (
            len(instances) < CLIPS_PER_SEQUENCE[0] or total < target):
        instance = next_instance(instances)
        instances.append(instance)
        total += instance.min_blend + instance.num_frames
    return instances


def place_pose(pose: PoseSequence, heading: float, position: np.ndarray,
               body: BodyModel) -> PoseSequence:
    """Turn and move a motion rigidly about the up axis.

    Args:
        pose: ``T``-frame pose (y up).
        heading: Heading (see :meth:`BodyModel.heading`) of the first frame.
        position: ``(3,)`` horizontal (``x``, ``z``) root position of the
            first frame; its ``y`` is ignored (heights are kept).
        body: The skeleton's body model.

    Returns:
        The moved ``T``-frame pose.
    """
    turn = heading - float(body.heading(pose.rotations[0, 0]))
    start = pose.root_pos[0] * np.array([1.0, 0.0, 1.0])
    target = np.asarray(position) * np.array([1.0, 0.0, 1.0])
    root_pos = rotate_about_up(pose.root_pos - start, turn) + target
    rotations = pose.rotations.copy()
    rotations[:, 0] = quat_multiply(yaw_quaternion(turn), rotations[:, 0])
    return PoseSequence(root_pos, rotations)


def junction_length(last: PoseSequence, first: PoseSequence,
                    min_frames: int) -> int:
    """Junction frames between two poses (1 frame each).

    At least ``min_frames``, and enough that the root height changes by at
    most :data:`MAX_BLEND_HEIGHT_STEP` and no joint turns by more than
    :data:`MAX_BLEND_ANGLE_STEP` per frame. The smoothstep easing of
    :func:`blend_poses` moves at most ``1.5 / (n + 1)`` of the way per
    frame, so ``n + 1 >= 1.5 * change / max_step``.
    """
    height = abs(first.root_pos[0, 1] - last.root_pos[0, 1])
    angle = quat_angle(first.rotations[0], last.rotations[0]).max()
    needed = 1.5 * max(height / MAX_BLEND_HEIGHT_STEP,
                       angle / MAX_BLEND_ANGLE_STEP)
    return int(max(min_frames, np.ceil(needed) - 1))


def blend_poses(last: PoseSequence, first: PoseSequence, num_frames: int,
                body: BodyModel) -> PoseSequence:
    """The ``num_frames`` in-between poses of a junction.

    Frame ``j = 1..n`` has weight ``w = j / (n + 1)``: rotations are
    ``slerp(last, first, s(w))`` and the root height is lerped with the
    smoothstep ``s(w) = 3w^2 - 2w^3``; the horizontal root position is
    lerped with ``w`` itself (constant speed). Interpolated limbs can dip
    into the ground (e.g. from standing to lying), so each frame is then
    lifted until its lowest joint is no lower than the ``s(w)``-lerp of
    the two end poses' lowest joints; the lift is one smooth bump
    ``L sin(pi w)``, with the least ``L`` that clears every frame.

    Args:
        last: The 1-frame pose before the junction.
        first: The 1-frame pose after it.
        num_frames: ``n``.
        body: The skeleton's body model (its NTU-25 joints give the
            lowest point).

    Returns:
        ``n``-frame pose.
    """
    weight = np.arange(1, num_frames + 1) / (num_frames + 1)
    eased = weight * weight * (3.0 - 2.0 * weight)
    rotations = quat_slerp(last.rotations, first.rotations, eased[:, None])
    delta = first.root_pos - last.root_pos
    root_pos = last.root_pos + weight[:, None] * delta * np.array(
        [1.0, 0.0, 1.0]) + eased[:, None] * delta * np.array([0.0, 1.0, 0.0])
    floor_last = _lowest_joint(last, body)[0]
    floor_first = _lowest_joint(first, body)[0]
    target = floor_last + eased * (floor_first - floor_last)
    dip = np.maximum(0.0, target -
                     _lowest_joint(PoseSequence(root_pos, rotations), body))
    bump = np.sin(np.pi * weight)
    root_pos[:, 1] += bump * (dip / bump).max()
    return PoseSequence(root_pos, rotations)


def _lowest_joint(pose: PoseSequence, body: BodyModel) -> np.ndarray:
    """Height ``(T,)`` of the lowest NTU-25 joint of each frame."""
    return body.to_ntu25(pose)[..., 2].min(axis=-1)


def _horizontal_velocity(pose: PoseSequence, at_end: bool) -> np.ndarray:
    """Root displacement per frame ``(3,)`` (y zeroed) at one end."""
    step = pose.root_pos[-1] - pose.root_pos[-2] if at_end else \
        pose.root_pos[1] - pose.root_pos[0]
    return step * np.array([1.0, 0.0, 1.0])


def join_clip(previous: PoseSequence, pose: PoseSequence, min_blend: int,
              body: BodyModel) -> Tuple[PoseSequence, PoseSequence]:
    """Place ``pose`` after ``previous`` and make the junction.

    ``pose`` is turned to the heading ``previous`` ends with and starts
    where ``previous`` ends plus the junction's travel, ``(n + 1)`` frames
    at the mean of the two root velocities.

    Returns:
        ``(junction frames, placed pose)``.
    """
    last = previous.take(slice(-1, None))
    heading = float(body.heading(last.rotations[0, 0]))
    turned = place_pose(pose, heading, pose.root_pos[0], body)
    num_frames = junction_length(last, turned.take(slice(0, 1)), min_blend)
    velocity = 0.5 * (_horizontal_velocity(previous, at_end=True) +
                      _horizontal_velocity(turned, at_end=False))
    placed = place_pose(pose, heading,
                        last.root_pos[0] + (num_frames + 1) * velocity, body)
    return blend_poses(last, placed.take(slice(0, 1)), num_frames,
                       body), placed


def stitch_poses(poses: Sequence[PoseSequence], min_blends: Sequence[int],
                 heading: float, body: BodyModel
                 ) -> Tuple[PoseSequence, List[Tuple[int, int]]]:
    """Join clips into one continuous motion (see module doc).

    Args:
        poses: The clips in order, each at least 2 frames, unplaced.
        min_blends: Least junction frames before each clip (the first's is
            unused).
        heading: Heading of the first clip's first frame.
        body: The skeleton's body model.

    Returns:
        ``(pose, bounds)``: the whole motion, the first clip starting at
        the horizontal origin, and each clip's ``(start, end)`` frames in
        it (end exclusive); the frames between bounds are junctions.
    """
    parts: List[PoseSequence] = []
    bounds: List[Tuple[int, int]] = []
    cursor = 0
    previous = None
    for pose, min_blend in zip(poses, min_blends):
        if previous is None:
            pose = place_pose(pose, heading, np.zeros(3), body)
        else:
            junction, pose = join_clip(previous, pose, min_blend, body)
            parts.append(junction)
            cursor += len(junction)
        bounds.append((cursor, cursor + len(pose)))
        parts.append(pose)
        cursor += len(pose)
        previous = pose
    return PoseSequence.concatenate(parts), bounds


def make_sample(name: str, keypoint: np.ndarray, segments: List[List[int]],
                num_classes: int) -> Dict:
    """Annotation sample dict of a stitched sequence.

    Args:
        name: ``frame_dir``.
        keypoint: float32 ``(1, T, 25, 3)`` joints.
        segments: ``[start, end, class_id]`` per clip.
        num_classes: ``K`` (background id).
    """
    total_frames = keypoint.shape[1]
    return {
        'frame_dir': name,
        'total_frames': total_frames,
        'keypoint': keypoint,
        'segments': segments,
        'frame_labels': derive_frame_labels(segments, total_frames,
                                            num_classes),
        'label': derive_video_labels(segments),
    }


__all__ = [
    'TARGET_FRAMES', 'CLIPS_PER_SEQUENCE', 'BLEND_FRAMES',
    'PAUSE_PROBABILITY', 'PAUSE_FRAMES', 'MAX_BLEND_HEIGHT_STEP',
    'MAX_BLEND_ANGLE_STEP', 'BodyModel', 'ClassDeck', 'draw_min_blend',
    'fill_sequence', 'place_pose', 'junction_length', 'blend_poses',
    'join_clip', 'stitch_poses', 'make_sample'
]

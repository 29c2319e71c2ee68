"""Build MocapMix: untrimmed sequences stitched from real mocap clips.

Each sequence is one person (``M = 1``) doing 3-8 actions in a row:

1. **Plan** (:func:`plan_sequence`). A target length of 300-900 frames is
   drawn; clips are appended until it is reached (at least 3, at most 8).
   Classes come from a per-split shuffled deck, so every class appears
   about equally often and never twice in a row. A cyclic clip loops for
   2-6 s from a random phase; any other clip plays once. Each clip gets a
   playback speed in ``[0.8, 1.25]`` (time warp, applied when resampling)
   and is mirrored left-right with probability 0.5; the sequence gets one
   body scale in ``[0.85, 1.15]`` and a random initial heading.
2. **Render** (:func:`render_sequence`). Clips are resampled to 30 fps and
   joined in the humanoid's pose space. Each clip is turned about the up
   axis and moved so that it starts with the heading and the horizontal
   root position where the previous one ended (plus the distance covered
   during the junction at the mean of the two root speeds). Between two
   clips, junction frames blend the last pose into the first: slerp of all
   joint rotations and the root's, lerp of the root height (both eased
   with a smoothstep), linear root travel, and a lift where the
   interpolated limbs would dip into the ground. A junction has 4-8
   frames, more where the poses are far apart (at most 0.04 m of root
   height and 20 deg of any joint per frame), plus with probability 0.25
   a pause of 10-40 frames (a slow transition stretch). Junction frames
   are background.
3. **Annotate.** Each clip contributes exactly one segment ``[start, end,
   class_id]`` covering its own frames; ``frame_labels`` and ``label`` are
   derived with :func:`derive_frame_labels` / :func:`derive_video_labels`.

Keypoints are the raw skeleton in metres, z up, with the root following its
ground-plane trajectory (no normalisation: the pipeline's ``Normalize``
does that), scaled by the body scale about the world origin. Everything is
drawn from ``numpy.random.default_rng`` streams spawned from the seed
(one per split), so a seed gives byte-identical output, and the val split
does not depend on ``num_train``.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

from ...datasets.annotation import derive_frame_labels, derive_video_labels
from .clips import (CLASS_CLIPS, CLASSES, FPS, natural_num_frames,
                    read_clip, sample_clip)
from .kinematics import (PoseSequence, heading_angle, mirror_pose,
                         pose_to_ntu25, rotate_about_up, yaw_quaternion)
from .quaternion import quat_angle, quat_multiply, quat_slerp

BUILDER_VERSION = 1
"""Bumped whenever the same seed would give different data."""

TARGET_FRAMES = (300, 900)
CLIPS_PER_SEQUENCE = (3, 8)
CYCLIC_SECONDS = (2.0, 6.0)
SPEED_RANGE = (0.8, 1.25)
BODY_SCALE_RANGE = (0.85, 1.15)
MIRROR_PROBABILITY = 0.5
BLEND_FRAMES = (4, 8)
PAUSE_PROBABILITY = 0.25
PAUSE_FRAMES = (10, 40)
MAX_BLEND_HEIGHT_STEP = 0.04
"""Metres of root height change per junction frame, at most."""
MAX_BLEND_ANGLE_STEP = np.deg2rad(20.0)
"""Radians of any joint's rotation per junction frame, at most."""

SOURCE_NOTE = (
    'DeepMimic motion clips (Peng et al., SIGGRAPH 2018) and humanoid.urdf '
    'as shipped in the pybullet 3.2.7 wheel (bullet3 data/motions); '
    'stitched, time-warped, mirrored and scaled by '
    'snippet_plugin.ingest.mocapmix')
LICENCE_NOTE = ('zlib licence (pybullet / Bullet Physics), see '
                'snippet_plugin/ingest/mocapmix/data/'
                'LICENSE_pybullet_zlib.txt')


@dataclass(frozen=True)
class ClipInstance:
    """One action in a sequence plan.

    Attributes:
        clip: Clip name (see :data:`CLASS_CLIPS`).
        class_id: Index into :data:`CLASSES`.
        num_frames: Frames at 30 fps.
        speed: Playback speed factor.
        phase: Clip time in seconds of the first frame.
        mirror: Whether the clip is mirrored left-right.
        min_blend: Least junction frames before this clip (0 for the first).
    """
    clip: str
    class_id: int
    num_frames: int
    speed: float
    phase: float
    mirror: bool
    min_blend: int


@dataclass(frozen=True)
class SequencePlan:
    """Every random choice of one sequence.

    Attributes:
        name: ``frame_dir`` of the sequence.
        instances: The clips in order.
        body_scale: Scale of the whole skeleton and trajectory.
        heading: Initial heading in radians about the up axis.
    """
    name: str
    instances: Tuple[ClipInstance, ...]
    body_scale: float
    heading: float


@dataclass(frozen=True)
class RenderedSequence:
    """A rendered sequence.

    Attributes:
        keypoint: float32 ``(1, T, 25, 3)`` NTU-25 joints, metres, z up.
        segments: ``[start, end, class_id]`` per clip, ``[start, end)``.
    """
    keypoint: np.ndarray
    segments: List[List[int]]


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

    def draw(self, exclude: Optional[int] = None) -> int:
        """Next class id from the deck, skipping ``exclude``."""
        if all(card == exclude for card in self.cards):
            self.cards.extend(self.rng.permutation(self.num_classes).tolist())
        index = next(i for i, card in enumerate(self.cards) if card != exclude)
        return self.cards.pop(index)


def plan_instance(rng: np.random.Generator, class_id: int,
                  first: bool) -> ClipInstance:
    """Draw clip, duration, speed, mirror and junction of one action."""
    clips = CLASS_CLIPS[CLASSES[class_id]]
    clip = read_clip(clips[int(rng.integers(len(clips)))])
    speed = float(rng.uniform(*SPEED_RANGE))
    mirror = bool(rng.random() < MIRROR_PROBABILITY)
    if clip.cyclic:
        num_frames = int(round(rng.uniform(*CYCLIC_SECONDS) * FPS))
        phase = float(rng.uniform(0.0, clip.duration))
    else:
        num_frames = natural_num_frames(clip, speed)
        phase = 0.0
    min_blend = int(rng.integers(BLEND_FRAMES[0], BLEND_FRAMES[1] + 1))
    if rng.random() < PAUSE_PROBABILITY:
        min_blend += int(rng.integers(PAUSE_FRAMES[0], PAUSE_FRAMES[1] + 1))
    return ClipInstance(clip.name, class_id, num_frames, speed, phase, mirror,
                        0 if first else min_blend)


def plan_sequence(name: str, rng: np.random.Generator,
                  deck: ClassDeck) -> SequencePlan:
    """Draw the clips and augmentations of one sequence (see module doc)."""
    target = int(rng.integers(TARGET_FRAMES[0], TARGET_FRAMES[1] + 1))
    body_scale = float(rng.uniform(*BODY_SCALE_RANGE))
    heading = float(rng.uniform(-np.pi, np.pi))
    instances: List[ClipInstance] = []
    total = 0
    while len(instances) < CLIPS_PER_SEQUENCE[1] and (
            len(instances) < CLIPS_PER_SEQUENCE[0] or total < target):
        previous = instances[-1].class_id if instances else None
        instance = plan_instance(rng, deck.draw(exclude=previous),
                                 first=not instances)
        instances.append(instance)
        total += instance.min_blend + instance.num_frames
    return SequencePlan(name, tuple(instances), body_scale, heading)


def place_pose(pose: PoseSequence, heading: float,
               position: np.ndarray) -> PoseSequence:
    """Turn and move a motion rigidly about the up axis.

    Args:
        pose: ``T``-frame pose (y up).
        heading: Heading (see :func:`heading_angle`) of the first frame.
        position: ``(3,)`` horizontal (``x``, ``z``) root position of the
            first frame; its ``y`` is ignored (heights are kept).

    Returns:
        The moved ``T``-frame pose.
    """
    turn = heading - float(heading_angle(pose.rotations[0, 0]))
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


def blend_poses(last: PoseSequence, first: PoseSequence,
                num_frames: int) -> PoseSequence:
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

    Returns:
        ``n``-frame pose.
    """
    weight = np.arange(1, num_frames + 1) / (num_frames + 1)
    eased = weight * weight * (3.0 - 2.0 * weight)
    rotations = quat_slerp(last.rotations, first.rotations, eased[:, None])
    delta = first.root_pos - last.root_pos
    root_pos = last.root_pos + weight[:, None] * delta * np.array(
        [1.0, 0.0, 1.0]) + eased[:, None] * delta * np.array([0.0, 1.0, 0.0])
    floor_last, floor_first = _lowest_joint(last)[0], _lowest_joint(first)[0]
    target = floor_last + eased * (floor_first - floor_last)
    dip = np.maximum(0.0, target -
                     _lowest_joint(PoseSequence(root_pos, rotations)))
    bump = np.sin(np.pi * weight)
    root_pos[:, 1] += bump * (dip / bump).max()
    return PoseSequence(root_pos, rotations)


def _lowest_joint(pose: PoseSequence) -> np.ndarray:
    """Height ``(T,)`` of the lowest NTU-25 joint of each frame."""
    return pose_to_ntu25(pose)[..., 2].min(axis=-1)


def _horizontal_velocity(pose: PoseSequence, at_end: bool) -> np.ndarray:
    """Root displacement per frame ``(3,)`` (y zeroed) at one end."""
    step = pose.root_pos[-1] - pose.root_pos[-2] if at_end else \
        pose.root_pos[1] - pose.root_pos[0]
    return step * np.array([1.0, 0.0, 1.0])


def join_clip(previous: PoseSequence, pose: PoseSequence,
              min_blend: int) -> Tuple[PoseSequence, PoseSequence]:
    """Place ``pose`` after ``previous`` and make the junction.

    ``pose`` is turned to the heading ``previous`` ends with and starts
    where ``previous`` ends plus the junction's travel, ``(n + 1)`` frames
    at the mean of the two root velocities.

    Returns:
        ``(junction frames, placed pose)``.
    """
    last = previous.take(slice(-1, None))
    heading = float(heading_angle(last.rotations[0, 0]))
    turned = place_pose(pose, heading, pose.root_pos[0])
    num_frames = junction_length(last, turned.take(slice(0, 1)), min_blend)
    velocity = 0.5 * (_horizontal_velocity(previous, at_end=True) +
                      _horizontal_velocity(turned, at_end=False))
    placed = place_pose(pose, heading,
                        last.root_pos[0] + (num_frames + 1) * velocity)
    return blend_poses(last, placed.take(slice(0, 1)), num_frames), placed


def render_instance(instance: ClipInstance) -> PoseSequence:
    """The resampled (and mirrored) pose of one planned clip, unplaced."""
    pose = sample_clip(read_clip(instance.clip), instance.num_frames,
                       instance.speed, instance.phase)
    return mirror_pose(pose) if instance.mirror else pose


def render_sequence(plan: SequencePlan) -> RenderedSequence:
    """Stitch a plan's clips into one skeleton sequence (see module doc)."""
    parts: List[PoseSequence] = []
    segments: List[List[int]] = []
    cursor = 0
    previous = None
    for instance in plan.instances:
        pose = render_instance(instance)
        if previous is None:
            pose = place_pose(pose, plan.heading, np.zeros(3))
        else:
            junction, pose = join_clip(previous, pose, instance.min_blend)
            parts.append(junction)
            cursor += len(junction)
        segments.append([cursor, cursor + len(pose), instance.class_id])
        parts.append(pose)
        cursor += len(pose)
        previous = pose
    joints = pose_to_ntu25(PoseSequence.concatenate(parts)) * plan.body_scale
    return RenderedSequence(joints[None].astype(np.float32), segments)


def make_sample(name: str, rendered: RenderedSequence,
                num_classes: int) -> Dict:
    """Annotation sample dict of a rendered sequence."""
    total_frames = rendered.keypoint.shape[1]
    return {
        'frame_dir': name,
        'total_frames': total_frames,
        'keypoint': rendered.keypoint,
        'segments': rendered.segments,
        'frame_labels': derive_frame_labels(rendered.segments, total_frames,
                                            num_classes),
        'label': derive_video_labels(rendered.segments),
    }


def plan_split(split: str, count: int,
               rng: np.random.Generator) -> List[SequencePlan]:
    """Plans of the ``count`` sequences ``mocapmix_{split}_{i:03d}``."""
    deck = ClassDeck(rng, len(CLASSES))
    return [
        plan_sequence(f'mocapmix_{split}_{i:03d}', rng, deck)
        for i in range(count)
    ]


def build_mocapmix(seed: int = 0, num_train: int = 48,
                   num_val: int = 16) -> Dict:
    """Build the MocapMix annotation dict (the format of ``annotation.py``).

    Args:
        seed: Random seed; equal seeds give byte-identical data.
        num_train: Sequences in the ``train`` split.
        num_val: Sequences in the ``val`` split.

    Returns:
        ``{'meta', 'split', 'annotations'}`` with ``meta`` holding the
        classes, ``fps=30``, ``layout='nturgb+d'``, the seed, the split
        sizes, units/axes and source and licence notes.
    """
    split_rngs = [np.random.default_rng(s)
                  for s in np.random.SeedSequence(seed).spawn(2)]
    annotations, split = [], {}
    for (name, count), rng in zip((('train', num_train), ('val', num_val)),
                                  split_rngs):
        plans = plan_split(name, count, rng)
        annotations += [
            make_sample(plan.name, render_sequence(plan), len(CLASSES))
            for plan in plans
        ]
        split[name] = [plan.name for plan in plans]
    meta = {
        'classes': list(CLASSES),
        'fps': FPS,
        'layout': 'nturgb+d',
        'dataset': 'MocapMix',
        'version': BUILDER_VERSION,
        'seed': seed,
        'num_train': num_train,
        'num_val': num_val,
        'units': 'metres',
        'up_axis': 'z',
        'source': SOURCE_NOTE,
        'licence': LICENCE_NOTE,
    }
    return {'meta': meta, 'split': split, 'annotations': annotations}


__all__ = [
    'ClipInstance', 'SequencePlan', 'RenderedSequence', 'ClassDeck',
    'plan_instance', 'plan_sequence', 'plan_split', 'place_pose',
    'junction_length', 'blend_poses', 'join_clip', 'render_instance',
    'render_sequence', 'make_sample', 'build_mocapmix'
]

"""Build MocapMix: untrimmed sequences stitched from real mocap clips.

Each sequence is one person (``M = 1``) doing 3-8 actions in a row:

1. **Plan** (:func:`plan_sequence`). A target length of 300-900 frames is
   drawn; clips are appended until it is reached (at least 3, at most 8).
   Classes come from a per-split shuffled deck, so every class appears
   about equally often and never twice in a row. A cyclic clip loops for
   2-6 s from a random phase; any other clip plays once. Each clip gets a
   playback speed in ``[0.8, 1.25]`` (time warp, applied when resampling)
   and is mirrored left-right with probability 0.5; the sequence gets one
   body scale in ``[0.85, 1.15]`` and a random initial heading. Junctions
   get 4-8 frames, plus with probability 0.25 a pause of 10-40 frames.
2. **Render** (:func:`render_sequence`). Clips are resampled to 30 fps and
   joined in the humanoid's pose space by the shared stitching of
   :mod:`snippet_plugin.ingest.stitching` (continuous root position and
   heading, slerp-blended junctions, labelled background).
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
from typing import Dict, List, Tuple

import numpy as np

from ..stitching import (TARGET_FRAMES, BodyModel, ClassDeck,
                         draw_min_blend, fill_sequence, make_sample,
                         stitch_poses)
from .clips import (CLASS_CLIPS, CLASSES, FPS, natural_num_frames,
                    read_clip, sample_clip)
from .kinematics import RIGHT_AXIS, PoseSequence, mirror_pose, pose_to_ntu25

BUILDER_VERSION = 1
"""Bumped whenever the same seed would give different data."""

CYCLIC_SECONDS = (2.0, 6.0)
SPEED_RANGE = (0.8, 1.25)
BODY_SCALE_RANGE = (0.85, 1.15)
MIRROR_PROBABILITY = 0.5
HUMANOID_BODY = BodyModel(right_axis=RIGHT_AXIS, to_ntu25=pose_to_ntu25)
"""The DeepMimic humanoid as the stitching sees it."""

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
    min_blend = draw_min_blend(rng)
    return ClipInstance(clip.name, class_id, num_frames, speed, phase, mirror,
                        0 if first else min_blend)


def plan_sequence(name: str, rng: np.random.Generator,
                  deck: ClassDeck) -> SequencePlan:
    """Draw the clips and augmentations of one sequence (see module doc)."""
    target = int(rng.integers(TARGET_FRAMES[0], TARGET_FRAMES[1] + 1))
    body_scale = float(rng.uniform(*BODY_SCALE_RANGE))
    heading = float(rng.uniform(-np.pi, np.pi))

    def next_instance(instances: List[ClipInstance]) -> ClipInstance:
        previous = instances[-1].class_id if instances else None
        return plan_instance(rng, deck.draw(exclude=previous),
                             first=not instances)

    instances = fill_sequence(target, next_instance)
    return SequencePlan(name, tuple(instances), body_scale, heading)


def render_instance(instance: ClipInstance) -> PoseSequence:
    """The resampled (and mirrored) pose of one planned clip, unplaced."""
    pose = sample_clip(read_clip(instance.clip), instance.num_frames,
                       instance.speed, instance.phase)
    return mirror_pose(pose) if instance.mirror else pose


def render_sequence(plan: SequencePlan) -> RenderedSequence:
    """Stitch a plan's clips into one skeleton sequence (see module doc)."""
    pose, bounds = stitch_poses(
        [render_instance(instance) for instance in plan.instances],
        [instance.min_blend for instance in plan.instances], plan.heading,
        HUMANOID_BODY)
    joints = pose_to_ntu25(pose) * plan.body_scale
    segments = [[start, end, instance.class_id]
                for (start, end), instance in zip(bounds, plan.instances)]
    return RenderedSequence(joints[None].astype(np.float32), segments)


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
        for plan in plans:
            rendered = render_sequence(plan)
            annotations.append(
                make_sample(plan.name, rendered.keypoint, rendered.segments,
                            len(CLASSES)))
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
    'HUMANOID_BODY', 'ClipInstance', 'SequencePlan', 'RenderedSequence',
    'plan_instance', 'plan_sequence', 'plan_split', 'render_instance',
    'render_sequence', 'build_mocapmix'
]

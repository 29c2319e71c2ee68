"""The DeepMimic motion clips of MocapMix: class list, loading, resampling.

Each bundled clip is one trimmed action. MocapMix has 14 classes, ids in
this order (:data:`CLASSES`); *cyclic* classes loop seamlessly for any
duration, the others play once:

===  ==========  =====================================================  ======
id   class       clips (``data/``)                                      cyclic
===  ==========  =====================================================  ======
0    walk        humanoid3d_walk, walker/0walk_forward                  yes
1    run         humanoid3d_run                                         yes
2    turn        walker/turn_left0, turn_left1, turn_right0,            yes
                 turn_right1 (walking in a curve)
3    jump        humanoid3d_jump                                        no
4    kick        humanoid3d_kick                                        no
5    punch       humanoid3d_punch                                       no
6    spinkick    humanoid3d_spinkick                                    no
7    backflip    humanoid3d_backflip                                    no
8    cartwheel   humanoid3d_cartwheel                                   no
9    roll        humanoid3d_roll                                        no
10   crawl       humanoid3d_crawl                                       yes
11   dance       humanoid3d_dance_a, humanoid3d_dance_b                 yes
12   getup       humanoid3d_getup_facedown, humanoid3d_getup_faceup     no
13   spin        humanoid3d_spin                                        yes
===  ==========  =====================================================  ======

Keyframe ``i`` of a clip file sits at time ``sum(durations[:i])``; the
clip lasts until its last keyframe (the last duration is unused).
:func:`sample_clip` resamples a clip at any frame rate and speed by linear
interpolation of the root position and slerp of every joint rotation.

Looping: a cyclic clip's last keyframe should repeat its first one, but the
mocap leaves residual pose differences (up to ~50 deg on a joint). On
loading, the residual is spread linearly over the cycle (a slerp towards
the first pose growing from 0 at the start to 1 at the end, for every
local rotation, the root's tilt and the root height), so the loop point
has no jump. Each further cycle is placed by the *cycle transform*, the
horizontal move and turn about the up axis that carries the first
keyframe's root onto the last one's, so the root position and heading
carry forward loop after loop (a turn clip walks a circle).
"""
import json
import os.path as osp
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Tuple

import numpy as np

from ..motion import PoseSequence, rotate_about_up, yaw_quaternion
from ..quaternion import (IDENTITY, quat_conjugate, quat_multiply,
                          quat_slerp)
from .kinematics import (DATA_DIR, heading_angle, parse_deepmimic_frames,
                         pose_to_ntu25, remove_heading)

CLASSES = ('walk', 'run', 'turn', 'jump', 'kick', 'punch', 'spinkick',
           'backflip', 'cartwheel', 'roll', 'crawl', 'dance', 'getup', 'spin')
"""MocapMix action classes; the list index is the class id."""

CLASS_CLIPS: Dict[str, Tuple[str, ...]] = {
    'walk': ('walk', 'walker/0walk_forward'),
    'run': ('run', ),
    'turn': ('walker/turn_left0', 'walker/turn_left1', 'walker/turn_right0',
             'walker/turn_right1'),
    'jump': ('jump', ),
    'kick': ('kick', ),
    'punch': ('punch', ),
    'spinkick': ('spinkick', ),
    'backflip': ('backflip', ),
    'cartwheel': ('cartwheel', ),
    'roll': ('roll', ),
    'crawl': ('crawl', ),
    'dance': ('dance_a', 'dance_b'),
    'getup': ('getup_facedown', 'getup_faceup'),
    'spin': ('spin', ),
}
"""Clip names of each class. A clip name is its file path under ``data/``
without ``.txt`` and without the ``humanoid3d_`` prefix."""

CYCLIC_CLASSES = frozenset({'walk', 'run', 'turn', 'crawl', 'dance', 'spin'})
"""Classes whose clips loop for an arbitrary duration."""

CLIP_NAMES = tuple(name for clips in CLASS_CLIPS.values() for name in clips)
"""All 20 bundled clips."""

FPS = 30
"""Frame rate of every resampled clip and of the dataset."""

END_TOLERANCE = 0.01
"""Fraction of an output frame interval by which a sample time may pass
the clip's end and still count (clamped to the end): the files store
durations rounded to 6 digits, e.g. 0.033332 s for 1/30 s."""


@dataclass(frozen=True)
class MotionClip:
    """One clip, ready to resample.

    Attributes:
        name: Clip name (see :data:`CLASS_CLIPS`).
        label: Class name.
        cyclic: Whether the clip loops (loop residual already removed).
        key_times: ``(N,)`` keyframe times in seconds, from 0.
        pose: ``N``-frame keyframe pose, source frame (y up, metres).
    """
    name: str
    label: str
    cyclic: bool
    key_times: np.ndarray
    pose: PoseSequence

    @property
    def duration(self) -> float:
        """Seconds from the first to the last keyframe."""
        return float(self.key_times[-1])


def clip_path(name: str) -> str:
    """File of clip ``name`` in the bundled data folder."""
    folder, _, stem = name.rpartition('/')
    if not folder:
        stem = 'humanoid3d_' + stem
    return osp.join(DATA_DIR, folder, stem + '.txt')


def clip_label(name: str) -> str:
    """Class name of clip ``name``."""
    for label, clips in CLASS_CLIPS.items():
        if name in clips:
            return label
    raise KeyError(f'unknown MocapMix clip {name!r}; known: {CLIP_NAMES}')


@lru_cache(maxsize=None)
def read_clip(name: str) -> MotionClip:
    """Load clip ``name`` (cached; treat the result as read-only)."""
    label = clip_label(name)
    with open(clip_path(name)) as f:
        frames = np.asarray(json.load(f)['Frames'], dtype=np.float64)
    durations, pose = parse_deepmimic_frames(frames)
    key_times = np.concatenate([[0.0], np.cumsum(durations[:-1])])
    cyclic = label in CYCLIC_CLASSES
    if cyclic:
        pose = close_loop(pose, key_times / key_times[-1])
    return MotionClip(name, label, cyclic, key_times, pose)


def close_loop(pose: PoseSequence, weights: np.ndarray) -> PoseSequence:
    """Spread a cycle's end-to-start pose residual over the cycle.

    Every local rotation becomes ``slerp(I, q_0 q_last^-1, w) q``, the
    root's heading-free tilt likewise, and the root height is shifted by
    ``w (h_0 - h_last)``; with ``w`` rising from 0 to 1 the last frame then
    repeats the first one up to the root's horizontal position and heading.

    Args:
        pose: ``N``-frame cycle.
        weights: ``(N,)`` correction weights, 0 at the first frame and 1 at
            the last (time fraction of the cycle).

    Returns:
        The corrected ``N``-frame pose.
    """
    rotations = pose.rotations.copy()
    residual = quat_multiply(rotations[0, 1:],
                             quat_conjugate(rotations[-1, 1:]))
    rotations[:, 1:] = quat_multiply(
        quat_slerp(IDENTITY, residual[None], weights[:, None]),
        rotations[:, 1:])
    root = rotations[:, 0]
    tilt = remove_heading(root)
    tilt_residual = quat_multiply(tilt[0], quat_conjugate(tilt[-1]))
    tilt = quat_multiply(quat_slerp(IDENTITY, tilt_residual, weights), tilt)
    rotations[:, 0] = quat_multiply(yaw_quaternion(heading_angle(root)), tilt)
    root_pos = pose.root_pos.copy()
    root_pos[:, 1] += weights * (root_pos[0, 1] - root_pos[-1, 1])
    return PoseSequence(root_pos, rotations)


def natural_num_frames(clip: MotionClip, speed: float = 1.0,
                       fps: float = FPS) -> int:
    """Frames of one play of ``clip`` at ``fps`` and playback ``speed``.

    Sample ``k`` is at clip time ``k * speed / fps``; the count includes
    time 0 and every sample up to the clip's end (within
    :data:`END_TOLERANCE`).
    """
    return int(np.floor(clip.duration * fps / speed + END_TOLERANCE)) + 1


def sample_clip(clip: MotionClip, num_frames: int, speed: float = 1.0,
                phase: float = 0.0, fps: float = FPS) -> PoseSequence:
    """Resample a clip at ``fps``, optionally time-warped and looped.

    Args:
        clip: The clip.
        num_frames: Output frames ``T``. A clip that is not cyclic allows
            at most :func:`natural_num_frames` (minus the phase).
        speed: Playback speed factor (``> 1`` is faster, fewer frames).
        phase: Clip time in seconds of the first output frame.
        fps: Output frame rate.

    Returns:
        ``T``-frame pose: root position lerp and rotation slerp between
        the two keyframes around each sample time. Cyclic clips wrap, each
        cycle moved by the cycle transform (see module doc).
    """
    times = phase + np.arange(num_frames) * (speed / fps)
    duration = clip.duration
    if clip.cyclic:
        cycles = np.floor(times / duration).astype(np.int64)
        times = times - cycles * duration
    else:
        limit = duration + END_TOLERANCE * speed / fps
        if times[-1] > limit:
            raise ValueError(
                f'clip {clip.name!r} lasts {duration:.3f} s: {num_frames} '
                f'frames at speed {speed} from {phase} s do not fit')
        cycles = np.zeros(num_frames, dtype=np.int64)
        times = np.minimum(times, duration)
    pose = _interpolate(clip.key_times, clip.pose, times)
    if clip.cyclic:
        pose = _apply_cycle_transforms(pose, clip.pose, cycles)
    return pose


def _interpolate(key_times: np.ndarray, keys: PoseSequence,
                 times: np.ndarray) -> PoseSequence:
    """Poses at ``times (T,)`` within ``[0, key_times[-1]]``."""
    index = np.clip(
        np.searchsorted(key_times, times, side='right') - 1, 0,
        len(key_times) - 2)
    span = key_times[index + 1] - key_times[index]
    alpha = np.where(span > 0, (times - key_times[index]) /
                     np.where(span > 0, span, 1.0), 0.0)
    alpha = np.clip(alpha, 0.0, 1.0)
    root_pos = (1.0 - alpha[:, None]) * keys.root_pos[index] + \
        alpha[:, None] * keys.root_pos[index + 1]
    rotations = quat_slerp(keys.rotations[index], keys.rotations[index + 1],
                           alpha[:, None])
    return PoseSequence(root_pos, rotations)


def _apply_cycle_transforms(pose: PoseSequence, keys: PoseSequence,
                            cycles: np.ndarray) -> PoseSequence:
    """Move each frame of cycle ``c`` by the ``c``-fold cycle transform.

    The cycle transform ``x -> R_y(d) (x - p_0) + p_last`` (horizontal
    positions ``p``, heading change ``d``) carries the first keyframe's
    root onto the last one's.
    """
    heading_step = float(heading_angle(keys.rotations[-1, 0]) -
                         heading_angle(keys.rotations[0, 0]))
    start = keys.root_pos[0] * np.array([1.0, 0.0, 1.0])
    end = keys.root_pos[-1] * np.array([1.0, 0.0, 1.0])
    angles = np.zeros(cycles.max() + 1)
    offsets = np.zeros((cycles.max() + 1, 3))
    for c in range(1, len(angles)):
        angles[c] = angles[c - 1] + heading_step
        offsets[c] = rotate_about_up(offsets[c - 1] - start,
                                     heading_step) + end
    root_pos = rotate_about_up(pose.root_pos,
                               angles[cycles]) + offsets[cycles]
    rotations = pose.rotations.copy()
    rotations[:, 0] = quat_multiply(yaw_quaternion(angles[cycles]),
                                    rotations[:, 0])
    return PoseSequence(root_pos, rotations)


def load_clip(name: str, fps: float = FPS) -> np.ndarray:
    """One play of clip ``name`` as NTU-25 joints.

    Args:
        name: Clip name, e.g. ``'kick'`` or ``'walker/turn_left0'``.
        fps: Output frame rate.

    Returns:
        float32 ``(T, 25, 3)`` joints in metres, z up, T =
        :func:`natural_num_frames` at speed 1.
    """
    clip = read_clip(name)
    pose = sample_clip(clip, natural_num_frames(clip, fps=fps), fps=fps)
    return pose_to_ntu25(pose).astype(np.float32)

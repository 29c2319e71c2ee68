"""Time: AMASS frames at their own rate -> 30-fps output frames, BABEL
label times in seconds -> half-open frame segments, and the labels and
durations that do not fit the motion (:func:`check_labels`)."""
from dataclasses import dataclass, replace
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .babel_json import BabelLabel, BabelSequence


TARGET_FPS = 30

_TOLERANCE = 1e-6
"""Slack, in frames, for floating-point error in time -> frame maps."""

def resampled_length(num_frames: int, source_fps: float,
                     target_fps: float = TARGET_FPS) -> int:
    """``T_out = floor((T - 1) * target_fps / source_fps) + 1``: the output
    frames whose times ``k / target_fps`` lie within the recording."""
    return int(np.floor((num_frames - 1) * target_fps / source_fps +
                        _TOLERANCE)) + 1


@dataclass
class ResamplePlan:
    """Linear interpolation of ``T_out`` frames from a few source frames.

    Attributes:
        frames: int64 ``(N,)`` the source frames needed, ascending.
        lower: int64 ``(T_out,)`` index into ``frames`` of the frame at or
            before each output time.
        upper: int64 ``(T_out,)`` index into ``frames`` of the frame after
            it (``lower`` where the weight is 0).
        weight: float64 ``(T_out,)`` weight of ``upper``.
    """
    frames: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    weight: np.ndarray

    def apply(self, values: np.ndarray) -> np.ndarray:
        """``(N, ...)`` values at ``frames`` -> ``(T_out, ...)``."""
        weight = self.weight.reshape((-1, ) + (1, ) * (values.ndim - 1))
        return ((1 - weight) * values[self.lower] +
                weight * values[self.upper]).astype(values.dtype)


def resample_plan(num_frames: int, source_fps: float,
                  target_fps: float = TARGET_FPS) -> ResamplePlan:
    """Plan to resample ``num_frames`` frames at ``source_fps`` to
    ``target_fps``: output frame ``k`` is at source position
    ``p = k * source_fps / target_fps``, between frames ``floor(p)`` and
    ``floor(p) + 1`` with weight ``p - floor(p)`` (positions within
    :data:`_TOLERANCE` of a frame take that frame exactly)."""
    length = resampled_length(num_frames, source_fps, target_fps)
    position = np.arange(length) * source_fps / target_fps
    lower = np.minimum(np.floor(position + _TOLERANCE).astype(np.int64),
                       num_frames - 1)
    weight = position - lower
    weight = np.where(weight > _TOLERANCE, weight, 0.)
    upper = np.where(weight > 0, np.minimum(lower + 1, num_frames - 1),
                     lower)
    frames = np.unique(np.concatenate([lower, upper]))
    return ResamplePlan(frames, np.searchsorted(frames, lower),
                        np.searchsorted(frames, upper), weight)


def seconds_to_frame(seconds: float, fps: float = TARGET_FPS) -> int:
    """``round(seconds * fps)``, halves rounding up."""
    return int(np.floor(seconds * fps + 0.5 + _TOLERANCE))


def segments_from_babel_labels(
        labels: Sequence[BabelLabel],
        classes: Sequence[str],
        total_frames: int,
        fps: float = TARGET_FPS) -> Tuple[np.ndarray, int]:
    """Segments of the labels whose ``act_cat`` names one of ``classes``.

    Args:
        labels: Frame labels of one sequence.
        classes: Class names (ids = positions), matched case-insensitively.
        total_frames: ``T`` at ``fps``.
        fps: Frame rate of the output.

    Returns:
        ``(segments, dropped)``: int64 ``(S, 3)`` distinct rows ``[start,
        end, class_id]`` sorted, and the number of (label, class) pairs
        dropped because they are empty after rounding and clipping.
    """
    lookup = {name.lower(): class_id for class_id, name in enumerate(classes)}
    rows, dropped = set(), 0
    for label in labels:
        ids = {lookup[c.strip().lower()] for c in label.act_cat
               if c.strip().lower() in lookup}
        if not ids:
            continue
        start = min(max(seconds_to_frame(label.start_t, fps), 0),
                    total_frames)
        end = min(max(seconds_to_frame(label.end_t, fps), 0), total_frames)
        if end <= start:
            dropped += len(ids)
            continue
        rows.update((start, end, class_id) for class_id in ids)
    return np.array(sorted(rows), dtype=np.int64).reshape(-1, 3), dropped


LABEL_POLICIES = ('warn', 'drop', 'error')
END_TOLERANCE_S = 0.5 / TARGET_FPS
"""A label may end this far after the motion without a report: half an
output frame, which rounding absorbs."""
DUR_TOLERANCE_S = 0.1
"""BABEL's ``dur`` and the AMASS file's ``T / fps`` may differ this much
without a report (``dur`` is rounded in the release); a changed frame rate
or a truncated file differs by far more."""


@dataclass(frozen=True)
class LabelIssue:
    """A BABEL label or duration that does not fit the AMASS motion.

    Attributes:
        sid: Sequence id.
        segment: The label's name (``seg_id``), or ``'dur'`` for the
            sequence's duration.
        reason: What is wrong, with the times.
        action: What the policy did (``'dropped'``, ``'clipped to [a, b] s'``,
            ``'kept'``, ...).
    """
    sid: str
    segment: str
    reason: str
    action: str

    def line(self) -> str:
        """``sid<TAB>segment<TAB>reason<TAB>action``."""
        return '\t'.join((self.sid, self.segment, self.reason, self.action))


def _label_problems(label: BabelLabel, duration: float, output_end: float
                    ) -> Tuple[List[str], Optional[BabelLabel]]:
    """``(reasons, label clipped to [0, output_end] s, or None if nothing of
    it can be kept)``."""
    start, end = label.start_t, label.end_t
    if start > end:
        return [f'start_t {start:g} s > end_t {end:g} s'], None
    if start >= duration:
        return [f'starts at {start:g} s, at or after the end of the motion '
                f'({duration:g} s)'], None
    reasons = []
    if start < 0:
        reasons.append(f'start_t {start:g} s < 0')
    if end > duration + END_TOLERANCE_S:
        reasons.append(f'ends at {end:g} s, {end - duration:.3g} s after the '
                       f'end of the motion ({duration:g} s)')
    return reasons, replace(label, start_t=max(start, 0.0),
                            end_t=min(end, output_end))


def check_labels(sequence: BabelSequence, num_frames: int, fps: float,
                 policy: str = 'warn'
                 ) -> Tuple[Optional[BabelSequence], List[LabelIssue]]:
    """Check a labelled sequence against its AMASS motion.

    The motion lasts ``duration = num_frames / fps`` seconds. A label is
    bad when ``start_t > end_t``, when it starts at or after ``duration``,
    when ``start_t < 0``, or when it ends more than
    :data:`END_TOLERANCE_S` after ``duration``. The sequence is bad when
    BABEL's ``dur`` differs from ``duration`` by more than
    :data:`DUR_TOLERANCE_S`.

    Policies: ``'warn'`` clips a label to the output frames, ``[0, T_out /
    30]`` seconds (:func:`resampled_length`; a reversed one,
    or one entirely after the motion, is dropped: nothing of it is left)
    and keeps a sequence whose ``dur`` differs; ``'drop'`` drops every bad
    label, and leaves a sequence whose ``dur`` differs out of the subset
    files (its labels were timed on another motion); ``'error'`` changes
    nothing (the caller stops on any issue). Every issue is returned.

    Args:
        sequence: A sequence with ``labels``.
        num_frames: ``T`` of its AMASS file.
        fps: Its ``mocap_framerate``.
        policy: One of :data:`LABEL_POLICIES`.

    Returns:
        ``(sequence with the policy applied, or None if it leaves the subset
        files; issues)``.
    """
    duration = num_frames / fps
    output_end = resampled_length(num_frames, fps) / TARGET_FPS
    issues, kept = [], []
    dur_differs = (sequence.dur is not None
                   and abs(sequence.dur - duration) > DUR_TOLERANCE_S)
    if dur_differs:
        action = {'warn': 'kept', 'drop': 'sequence left out of the '
                  'subset files', 'error': 'error'}[policy]
        issues.append(LabelIssue(
            sequence.sid, 'dur', f'BABEL dur {sequence.dur:g} s, but the '
            f'AMASS file lasts {duration:g} s ({num_frames} frames at '
            f'{fps:g} fps)', action))
    for label in sequence.labels:
        reasons, clipped = _label_problems(label, duration, output_end)
        if not reasons:
            kept.append(label)
            continue
        if policy == 'error':
            action = 'error'
            kept.append(label)
        elif policy == 'warn' and clipped is not None:
            action = 'clipped to [{:g}, {:g}] s'.format(clipped.start_t,
                                                        clipped.end_t)
            kept.append(clipped)
        else:
            action = 'dropped'
        issues += [LabelIssue(sequence.sid, label.name, reason, action)
                   for reason in reasons]
    if policy == 'drop' and dur_differs:
        return None, issues
    return replace(sequence, labels=tuple(kept)), issues

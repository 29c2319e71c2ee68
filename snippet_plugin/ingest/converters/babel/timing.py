"""Time: AMASS frames at their own rate -> 30-fps output frames, and BABEL
label times in seconds -> half-open frame segments."""
from dataclasses import dataclass
from typing import Sequence, Tuple

import numpy as np

from .babel_json import BabelLabel


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


def label_segments(labels: Sequence[BabelLabel], classes: Sequence[str],
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

"""Frame-wise class probabilities -> scored action segments, and frame labels
-> ground-truth segments.

Post-processing of PAPER_NOTES "Stage 2: localization" (from LINE/FLLR):
per class, threshold the frame probabilities at several thresholds, keep runs
of at least 3 frames, score each run by its inner mean minus 0.6 times the
mean of its outer margins (25 % of its length on each side), then per-class
NMS at 0.2 where the overlap is the intersection over the length of the
lower-scored segment. All segments are half-open ``[start, end)`` frames.

Differences from the public LINE code, on purpose: there, the inner mean and
the returned end include the frame after the run, the left margin has
``ceil(0.25 L)`` frames but the right one ``floor(0.25 L)`` starting one frame
late and never reaching the last frame, and NMS lengths count ``e - s + 1``.
Here the run, both ``ceil(0.25 L)`` margins and the NMS lengths are exact
half-open intervals. The public code also skips a class whose video-level
score is below a ``class_threshold``; the paper does not describe that gate
and it is not done here.

Optional temporal smoothing comes first (:func:`smooth_frame_scores`): a
centred moving average of the frame probabilities over a window given in
seconds (:func:`smoothing_window_frames`). The paper does not smooth; frame
scores that flicker (KNN votes, a briefly trained linear head) otherwise
shatter into many tiny segments. Which window to use is chosen on training
data, never on the test split (:func:`select_smoothing_window` and its
callers).
"""
import math
from typing import Optional, Sequence, Tuple

import numpy as np

from .segmentation import label_runs

DEFAULT_PROPOSAL_THRESHOLDS = (0.030, 0.035, 0.040, 0.045, 0.050)


def find_runs(flags: np.ndarray) -> Tuple[np.ndarray, ...]:
    """Maximal runs of True along the last axis.

    Args:
        flags (np.ndarray): ``(..., T)`` bool.

    Returns:
        tuple: ``(*leading_indices, start, end)``, each ``(R,)`` int64: the
        leading-axis indices of each run and its half-open ``[start, end)``,
        ordered by leading index, then start.
    """
    flags = np.asarray(flags, dtype=bool)
    padding = [(0, 0)] * (flags.ndim - 1) + [(1, 1)]
    edges = np.diff(np.pad(flags, padding).astype(np.int8), axis=-1)
    rising = np.nonzero(edges == 1)
    falling = np.nonzero(edges == -1)
    return rising[:-1] + (rising[-1], falling[-1])


def smoothing_window_frames(seconds: float, fps: float) -> int:
    """The odd centred window, in frames, closest to ``seconds``.

    ``w = 2 * floor(seconds * fps / 2 + 1/2) + 1``: the half-width
    ``seconds * fps / 2`` rounded half up, so ``w`` spans ``seconds`` as
    nearly as an odd, centred window can (1 s at 30 fps: 31 frames; 0 s:
    1 frame, no smoothing).

    Args:
        seconds: Window length in seconds, ``>= 0``.
        fps: Frames per second of the sequence, ``> 0``.

    Returns:
        int: Odd window length ``>= 1``.
    """
    if not seconds >= 0 or not fps > 0:
        raise ValueError(f'need seconds >= 0 and fps > 0, got {seconds} and '
                         f'{fps}')
    return 2 * math.floor(seconds * fps / 2 + 0.5) + 1


def smooth_frame_scores(frame_scores: np.ndarray,
                        mask: Optional[np.ndarray] = None,
                        window: int = 1) -> np.ndarray:
    """Centred moving average of frame scores over real frames only.

    Frame ``t`` gets the mean of ``p[:, j]`` over the valid frames ``j`` with
    ``|j - t| <= (window - 1) / 2``. Near the sequence's edges the window is
    cut to the sequence (the mean runs over the frames that exist, no
    padding value is assumed), and padded frames (``mask`` False) neither
    enter any mean nor get a score (their output is 0). A window of 1 returns
    the scores unchanged (as float64). Each row of probabilities that sums
    to 1 on every valid frame still does after smoothing.

    Args:
        frame_scores (np.ndarray): ``(C, T)`` frame scores.
        mask (np.ndarray, optional): ``(T,)`` bool, True on real frames;
            defaults to all True.
        window (int): Odd window length in frames, ``>= 1``
            (:func:`smoothing_window_frames`).

    Returns:
        np.ndarray: ``(C, T)`` float64 smoothed scores, 0 on padded frames.
    """
    probs = np.asarray(frame_scores, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f'frame_scores must be (C, T), got {probs.shape}')
    if window < 1 or window % 2 == 0:
        raise ValueError(f'window must be an odd number >= 1, got {window}')
    num_frames = probs.shape[1]
    valid = _frame_mask(mask, num_frames)
    masked = np.where(valid, probs, 0.0)
    if window == 1:
        return masked
    half = window // 2
    prob_sum = np.concatenate([np.zeros((probs.shape[0], 1)),
                               np.cumsum(masked, axis=1)], axis=1)
    count = np.r_[0, np.cumsum(valid)]
    frames = np.arange(num_frames)
    low = np.maximum(frames - half, 0)
    high = np.minimum(frames + half + 1, num_frames)
    window_sum = prob_sum[:, high] - prob_sum[:, low]
    window_count = (count[high] - count[low]).astype(np.float64)
    smoothed = np.divide(window_sum, window_count,
                         out=np.zeros_like(window_sum),
                         where=window_count > 0)
    return np.where(valid, smoothed, 0.0)


def labels_to_segments(frame_labels: np.ndarray,
                       background_id: int) -> np.ndarray:
    """Runs of equal frame labels as ground-truth segments.

    Frames labelled ``background_id`` or negative (-1 = unlabelled) belong to
    no segment; two adjacent runs of different classes are two segments.

    Args:
        frame_labels (np.ndarray): ``(T,)`` integer class id per frame.
        background_id (int): The background label (K in this project).

    Returns:
        np.ndarray: ``(S, 3)`` int64 rows ``[start, end_exclusive, class_id]``
        ordered by start.
    """
    runs = label_runs(frame_labels, ignore_labels=(background_id, ))
    return runs[runs[:, 2] >= 0]


def frames_to_segments(
    frame_scores: np.ndarray,
    mask: Optional[np.ndarray] = None,
    *,
    thresholds: Sequence[float] = DEFAULT_PROPOSAL_THRESHOLDS,
    min_length: int = 3,
    margin_ratio: float = 0.25,
    outer_weight: float = 0.6,
    nms_threshold: float = 0.2,
    background_id: Optional[int] = -1,
) -> Tuple[np.ndarray, np.ndarray]:
    """Multi-threshold segment proposals with outer-inner scores and NMS.

    For every action class (every row but ``background_id``) and every
    threshold, each maximal run of valid frames with probability
    ``> threshold`` and at least ``min_length`` frames is a candidate
    ``[s, e)`` of length ``L = e - s``, scored (:func:`outer_inner_scores`)

        score = mean(p[s:e]) - outer_weight * mean(p[outer margins])

    where the margins are ``m = ceil(margin_ratio * L)`` frames on each side,
    ``[s - m, s)`` and ``[e, e + m)``, clipped to the sequence and restricted
    to valid (mask) frames. At the sequence edge the margin is shorter (or
    empty) and the mean runs over the remaining frames; a run with no valid
    outer frame at all gets outer mean 0 (score = inner mean). A run found
    at several thresholds is one candidate. Candidates then go through
    per-class :func:`lower_score_overlap_nms`.

    The defaults are the paper's (PAPER_NOTES). The default ``thresholds``
    (0.030..0.050) are the public code's, tuned for its softmax scores; set
    them to the range of your probabilities.

    Args:
        frame_scores (np.ndarray): ``(C, T)`` frame probabilities, one row per
            class (the layout of one sample of the head's ``(N, C, T)``
            output; apply softmax before). Row ``background_id`` is ignored.
        mask (np.ndarray, optional): ``(T,)`` bool, True on real frames.
            Padded (False) frames never belong to a segment nor a margin.
            Defaults to all True.
        thresholds (Sequence[float]): Probability thresholds.
        min_length (int): Shortest kept run, in frames.
        margin_ratio (float): Outer margin length as a fraction of the run.
        outer_weight (float): Weight of the outer mean in the score.
        nms_threshold (float): Overlap above which NMS drops a segment.
        background_id (int, optional): Row of the background class
            (negative counts from the end, -1 = last row), or None when every
            row is an action class.

    Returns:
        tuple: ``segments`` ``(N, 3)`` int64 rows ``[start, end, class_id]``
        (class id = row index) and ``scores`` ``(N,)`` float64, sorted by
        score descending.
    """
    probs = np.asarray(frame_scores, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f'frame_scores must be (C, T), got {probs.shape}')
    num_rows, num_frames = probs.shape
    valid = _frame_mask(mask, num_frames)
    classes = _action_rows(num_rows, background_id)
    thresholds = np.asarray(thresholds, dtype=np.float64).reshape(-1)

    above = (probs[classes][None] > thresholds[:, None, None]) & valid
    _, row, start, end = find_runs(above)
    long_enough = end - start >= min_length
    row, start, end = row[long_enough], start[long_enough], end[long_enough]
    candidates = np.unique(np.stack([start, end, classes[row]], axis=1),
                           axis=0)
    scores = outer_inner_scores(probs, valid, candidates, margin_ratio,
                                outer_weight)
    keep = _per_class_nms(candidates, scores, nms_threshold)
    segments, scores = candidates[keep], scores[keep]
    order = np.argsort(-scores, kind='stable')
    return segments[order], scores[order]


def outer_inner_scores(probs: np.ndarray, valid: np.ndarray,
                       segments: np.ndarray, margin_ratio: float,
                       outer_weight: float) -> np.ndarray:
    """Outer-inner contrast score of each segment (PAPER_NOTES rule).

    ``score = mean(p[c, s:e]) - outer_weight * mean(p[c, margins])`` with
    margins ``[s - m, s)`` and ``[e, e + m)``, ``m = ceil(margin_ratio *
    (e - s))``, clipped to ``[0, T)``; only valid frames count in the outer
    mean, which is 0 when no valid outer frame exists. Every frame of
    ``[s, e)`` is assumed valid.

    Args:
        probs (np.ndarray): ``(C, T)`` probabilities.
        valid (np.ndarray): ``(T,)`` bool frame mask.
        segments (np.ndarray): ``(N, 3)`` rows ``[start, end, class_row]``.
        margin_ratio (float): Margin length as a fraction of the run length.
        outer_weight (float): Weight of the outer mean.

    Returns:
        np.ndarray: ``(N,)`` float64 scores.
    """
    start, end, row = segments[:, 0], segments[:, 1], segments[:, 2]
    num_frames = probs.shape[1]
    masked = np.where(valid, probs, 0.0)
    prob_sum = np.concatenate([np.zeros((probs.shape[0], 1)),
                               np.cumsum(masked, axis=1)], axis=1)
    valid_count = np.r_[0, np.cumsum(valid)]
    length = end - start
    margin = np.ceil(margin_ratio * length - 1e-9).astype(np.int64)
    left = np.maximum(start - margin, 0)
    right = np.minimum(end + margin, num_frames)

    inner = (prob_sum[row, end] - prob_sum[row, start]) / length
    outer_sum = (prob_sum[row, start] - prob_sum[row, left] +
                 prob_sum[row, right] - prob_sum[row, end])
    outer_count = (valid_count[start] - valid_count[left] +
                   valid_count[right] - valid_count[end])
    outer = np.divide(outer_sum, outer_count, out=np.zeros(len(segments)),
                      where=outer_count > 0)
    return inner - outer_weight * outer


def lower_score_overlap_nms(segments: np.ndarray, scores: np.ndarray,
                            threshold: float) -> np.ndarray:
    """Greedy NMS where overlap = intersection / length of the lower-scored
    segment (PAPER_NOTES; LINE/FLLR post-processing).

    Segments are visited by score descending (ties: input order first); a
    segment is dropped when its overlap with an already kept one is
    ``> threshold``. Because the overlap is normalised by the lower-scored
    segment, a short segment inside a kept long one is always dropped, while
    a long one around a kept short one survives if the short one is a small
    part of it.

    Args:
        segments (np.ndarray): ``(N, >=2)`` rows starting ``[start, end)``.
        scores (np.ndarray): ``(N,)`` scores.
        threshold (float): Overlap above which a segment is suppressed.

    Returns:
        np.ndarray: int64 indices of the kept segments, by score descending.
    """
    segments = np.asarray(segments)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind='stable')
    start = segments[order, 0].astype(np.float64)
    end = segments[order, 1].astype(np.float64)
    alive = np.ones(order.size, dtype=bool)
    kept = []
    current = 0 if order.size else None
    while current is not None:
        kept.append(current)
        later = slice(current + 1, None)
        intersection = np.maximum(
            0.0,
            np.minimum(end[current], end[later]) -
            np.maximum(start[current], start[later]))
        overlap = intersection / (end[later] - start[later])
        alive[later] &= overlap <= threshold
        survivors = np.flatnonzero(alive[later])
        current = current + 1 + int(survivors[0]) if survivors.size else None
    return order[np.asarray(kept, dtype=np.int64)]


def _per_class_nms(segments: np.ndarray, scores: np.ndarray,
                   threshold: float) -> np.ndarray:
    """Indices kept by :func:`lower_score_overlap_nms` run class by class
    (class id in column 2)."""
    kept = []
    for cls in np.unique(segments[:, 2]):
        members = np.flatnonzero(segments[:, 2] == cls)
        kept.append(members[lower_score_overlap_nms(
            segments[members], scores[members], threshold)])
    return np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)


def _frame_mask(mask: Optional[np.ndarray], num_frames: int) -> np.ndarray:
    """``(T,)`` bool mask, all True when ``mask`` is None."""
    if mask is None:
        return np.ones(num_frames, dtype=bool)
    valid = np.asarray(mask, dtype=bool).reshape(-1)
    if valid.size != num_frames:
        raise ValueError(f'mask has {valid.size} frames, frame_scores '
                         f'{num_frames}')
    return valid


def _action_rows(num_rows: int, background_id: Optional[int]) -> np.ndarray:
    """Row indices of the action classes (all rows but the background)."""
    rows = np.arange(num_rows)
    if background_id is None:
        return rows
    if not -num_rows <= background_id < num_rows:
        raise ValueError(f'background_id {background_id} is out of range '
                         f'for {num_rows} score rows')
    return np.delete(rows, background_id % num_rows)

"""Temporal intersection over union of half-open frame intervals."""
import numpy as np


def paired_segment_iou(start_a: np.ndarray, end_a: np.ndarray,
                       start_b: np.ndarray, end_b: np.ndarray) -> np.ndarray:
    """IoU of interval pairs, broadcasting the four arrays against each other.

    Intervals are half-open ``[start, end)``: frame ``end`` is not part of the
    interval, so ``[0, 5)`` and ``[5, 9)`` touch but do not overlap.

    * intersection = ``max(0, min(end_a, end_b) - max(start_a, start_b))``
    * union = ``(end_a - start_a) + (end_b - start_b) - intersection``

    A pair whose union is 0 (two empty intervals) has IoU 0.

    Args:
        start_a, end_a (np.ndarray): Bounds of the first intervals.
        start_b, end_b (np.ndarray): Bounds of the second intervals,
            broadcastable against the first.

    Returns:
        np.ndarray: float64 IoU in ``[0, 1]`` with the broadcast shape.
    """
    start_a, end_a, start_b, end_b = (
        np.asarray(x, dtype=np.float64)
        for x in (start_a, end_a, start_b, end_b))
    intersection = np.maximum(
        0.0, np.minimum(end_a, end_b) - np.maximum(start_a, start_b))
    union = (end_a - start_a) + (end_b - start_b) - intersection
    return np.divide(intersection, union,
                     out=np.zeros(np.broadcast(intersection, union).shape),
                     where=union > 0)


def segment_iou(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """IoU matrix between two sets of half-open ``[start, end)`` intervals.

    See :func:`paired_segment_iou` for the formula. Touching intervals
    (``end`` of one equal to ``start`` of the other) have IoU 0; an interval
    inside another has IoU ``len(inner) / len(outer)``.

    Args:
        pred (np.ndarray): ``(P, 2)`` rows of ``[start, end)``.
        gt (np.ndarray): ``(G, 2)`` rows of ``[start, end)``.

    Returns:
        np.ndarray: ``(P, G)`` float64 IoU.
    """
    pred = np.asarray(pred, dtype=np.float64).reshape(-1, 2)
    gt = np.asarray(gt, dtype=np.float64).reshape(-1, 2)
    return paired_segment_iou(pred[:, :1], pred[:, 1:], gt[None, :, 0],
                              gt[None, :, 1])

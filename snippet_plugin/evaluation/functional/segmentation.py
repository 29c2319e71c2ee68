"""Action-segmentation scores from frame labels: frame-wise accuracy,
segmental edit score and segmental F1@k, with the conventions of the MS-TCN
/ ASFormer evaluation script (``eval.py``: ``get_labels_start_end_time``,
``levenstein``, ``edit_score``, ``f_score``), re-implemented.

Conventions:

* Segments are maximal runs of one label; runs of an *ignored* label (the
  background, passed in ``ignore_labels`` as MS-TCN's ``bg_class``) are not
  segments, for both the edit score and F1. Bounds are half-open
  ``[start, end)`` (the original MS-TCN script's last segment ends one frame
  early; ASFormer's copy and this module do not).
* Frames outside the mask or with a GT label < 0 are *not evaluated*: they
  do not count in the accuracy, and for edit/F1 they are treated as ignored
  frames in both sequences (a segment does not continue across them).
* Edit score: ``(1 - L(p, y) / max(|p|, |y|)) * 100`` with ``L`` the
  Levenshtein distance between the sequences of segment labels (unit
  insertion, deletion, substitution). Two empty sequences score 100 (the
  original divides by zero).
* F1@k: predicted segments in temporal order each take the GT segment of the
  same class with the highest IoU (intersection over the hull, ties: the
  earlier GT); a TP if that IoU >= k and the GT is not yet hit, otherwise
  an FP (no fallback to the second best GT). FN = GT segments never hit.
* Dataset aggregation, as MS-TCN users report it: accuracy pools all
  evaluated frames; edit is the mean of the per-video scores; TP/FP/FN are
  summed over videos before ``F1 = 2PR / (P + R)`` (0 when P + R = 0). All
  three are percentages.
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

DEFAULT_F1_OVERLAPS = (0.10, 0.25, 0.50)


def label_runs(labels: np.ndarray,
               ignore_labels: Sequence[int] = ()) -> np.ndarray:
    """Maximal runs of equal labels, without runs of ignored labels.

    Args:
        labels (np.ndarray): ``(T,)`` integer labels.
        ignore_labels (Sequence[int]): Labels that form no segment.

    Returns:
        np.ndarray: ``(S, 3)`` int64 rows ``[start, end, label]``, half-open,
        ordered by start.
    """
    labels = np.asarray(labels).reshape(-1).astype(np.int64)
    if labels.size == 0:
        return np.zeros((0, 3), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    ends = np.r_[starts[1:], labels.size]
    runs = np.stack([starts, ends, labels[starts]], axis=1)
    return runs[~np.isin(runs[:, 2], np.asarray(ignore_labels, np.int64))]


def levenshtein(source: Sequence, target: Sequence) -> int:
    """Levenshtein distance with unit insertion, deletion and substitution.

    Args:
        source, target: Sequences of comparable items, lengths ``m``, ``n``.

    Returns:
        int: The edit distance (dynamic programme, ``O(m n)``).
    """
    previous = list(range(len(target) + 1))
    for i, item in enumerate(source, 1):
        current = [i]
        for j, other in enumerate(target, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1,
                    previous[j - 1] + (item != other)))
        previous = current
    return previous[-1]


def edit_score(pred_labels: np.ndarray,
               gt_labels: np.ndarray,
               ignore_labels: Sequence[int] = ()) -> float:
    """Segmental edit score of one video, in percent.

    Args:
        pred_labels (np.ndarray): ``(T,)`` predicted frame labels.
        gt_labels (np.ndarray): ``(T,)`` GT frame labels.
        ignore_labels (Sequence[int]): Labels that form no segment.

    Returns:
        float: ``(1 - L / max(|p|, |y|)) * 100`` over segment-label
        sequences; 100 when both are empty.
    """
    pred = label_runs(pred_labels, ignore_labels)[:, 2].tolist()
    gt = label_runs(gt_labels, ignore_labels)[:, 2].tolist()
    longest = max(len(pred), len(gt))
    if longest == 0:
        return 100.0
    return (1.0 - levenshtein(pred, gt) / longest) * 100.0


def f1_counts(pred_labels: np.ndarray,
              gt_labels: np.ndarray,
              overlap: float,
              ignore_labels: Sequence[int] = ()) -> Tuple[int, int, int]:
    """Segmental TP, FP, FN of one video at IoU ``overlap`` (MS-TCN rule).

    Args:
        pred_labels (np.ndarray): ``(T,)`` predicted frame labels.
        gt_labels (np.ndarray): ``(T,)`` GT frame labels.
        overlap (float): IoU threshold in ``(0, 1]`` (0.1, 0.25, 0.5).
        ignore_labels (Sequence[int]): Labels that form no segment.

    Returns:
        tuple: ``(tp, fp, fn)`` ints.
    """
    pred = label_runs(pred_labels, ignore_labels)
    gt = label_runs(gt_labels, ignore_labels)
    if len(gt) == 0:
        return 0, len(pred), 0
    inner = (np.minimum(pred[:, None, 1], gt[None, :, 1]) -
             np.maximum(pred[:, None, 0], gt[None, :, 0]))
    hull = (np.maximum(pred[:, None, 1], gt[None, :, 1]) -
            np.minimum(pred[:, None, 0], gt[None, :, 0]))
    iou = np.where(pred[:, None, 2] == gt[None, :, 2], inner / hull, -np.inf)
    hit = np.zeros(len(gt), dtype=bool)
    tp = 0
    for row in iou:
        best = int(np.argmax(row))
        if row[best] >= overlap and not hit[best]:
            hit[best] = True
            tp += 1
    return tp, len(pred) - tp, len(gt) - tp


def segmentation_scores(
        pred_labels: Sequence[np.ndarray],
        gt_labels: Sequence[np.ndarray],
        masks: Optional[Sequence[np.ndarray]] = None,
        ignore_labels: Sequence[int] = (),
        overlaps: Sequence[float] = DEFAULT_F1_OVERLAPS) -> Dict[str, float]:
    """Accuracy, edit and F1@k over a dataset, in percent.

    Args:
        pred_labels (Sequence[np.ndarray]): One ``(T_i,)`` integer array per
            video.
        gt_labels (Sequence[np.ndarray]): One ``(T_i,)`` array per video;
            labels < 0 are not evaluated.
        masks (Sequence[np.ndarray], optional): One ``(T_i,)`` bool array per
            video, True on evaluated frames. Defaults to all True.
        ignore_labels (Sequence[int]): Background label(s): no segment is
            made of them (accuracy still counts their frames).
        overlaps (Sequence[float]): F1 IoU thresholds.

    Returns:
        dict: ``acc``, ``edit`` and ``F1@<round(100 k)>`` (``F1@10``,
        ``F1@25``, ``F1@50`` by default); NaN for ``acc``/``edit`` when there
        is no evaluated frame / video.
    """
    if len(pred_labels) != len(gt_labels):
        raise ValueError(f'{len(pred_labels)} predicted but '
                         f'{len(gt_labels)} GT label sequences')
    if masks is not None and len(masks) != len(gt_labels):
        raise ValueError(f'{len(masks)} masks for {len(gt_labels)} videos')
    correct = total = 0
    edits = []
    counts = np.zeros((len(overlaps), 3), dtype=np.int64)
    pad = min(ignore_labels, default=0) - 1
    for i, (pred, gt) in enumerate(zip(pred_labels, gt_labels)):
        pred = np.asarray(pred).reshape(-1).astype(np.int64)
        gt = np.asarray(gt).reshape(-1).astype(np.int64)
        if pred.shape != gt.shape:
            raise ValueError(f'video {i}: {pred.size} predicted frame labels '
                             f'but {gt.size} GT frame labels')
        valid = gt >= 0
        if masks is not None:
            valid &= np.asarray(masks[i], dtype=bool).reshape(-1)
        correct += int(np.count_nonzero(pred[valid] == gt[valid]))
        total += int(np.count_nonzero(valid))
        # Unevaluated frames become an extra ignored label in both sequences.
        pad = min(pad, int(gt.min(initial=0)) - 1,
                  int(pred.min(initial=0)) - 1)
        ignored = tuple(ignore_labels) + (pad, )
        pred = np.where(valid, pred, pad)
        gt = np.where(valid, gt, pad)
        edits.append(edit_score(pred, gt, ignored))
        for k, overlap in enumerate(overlaps):
            counts[k] += f1_counts(pred, gt, overlap, ignored)
    scores = dict(acc=100.0 * correct / total if total else float('nan'),
                  edit=float(np.mean(edits)) if edits else float('nan'))
    for overlap, (tp, fp, fn) in zip(overlaps, counts):
        scores[f'F1@{round(100 * overlap)}'] = f1_from_counts(tp, fp, fn)
    return scores


def f1_from_counts(tp: int, fp: int, fn: int) -> float:
    """``F1 = 2PR / (P + R)`` in percent from summed counts (0 if undefined)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    if precision + recall == 0:
        return 0.0
    return 100.0 * 2 * precision * recall / (precision + recall)

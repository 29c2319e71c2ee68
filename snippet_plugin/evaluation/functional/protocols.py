"""Temporal-localization mAP under named protocols: ``'voc'``, ``'pkummd'``
    The official PKU-MMD evaluator (``evaluate.py`` of github ECHO960/PKU-MMD,
    functions ``match`` and ``ap``, the ``mAP_action`` line), re-implemented:

    * overlap = ``(min(e_p, e_g) - max(s_p, s_g)) / (max(e_p, e_g) -
      min(s_p, s_g))`` between a proposal and a GT of the same label and
      video (:func:`pkummd_overlap`), on PKU-MMD's own frame numbers: the
      official script reads the label files' ``start,end`` and the
      proposals' as given, and PKU-MMD's ends are inclusive (the last frame
      of the action). Our segments are half-open ``[start, end)`` (the
      converter made ``[s, e]`` into ``[s, e + 1)``), so with
      ``label_end='inclusive'`` (the default, and what the converter writes
      into ``meta['label_end']``) both intervals go back to ``[start,
      end - 1]`` before the overlap; with ``'exclusive'`` (labels converted
      with ``--label-end exclusive``) ``[start, end]`` are the file's
      numbers. On those numbers an interval covering ``n`` frames has
      length ``n - 1``: the overlap of GT ``1,0,9`` and a proposal of frames
      5..14 is ``(9 - 5) / (14 - 0) = 4/14`` (a miss at 0.3), where the tIoU
      of ``[0, 10)`` and ``[5, 15)`` is ``5/15``. Disjoint intervals give a
      negative overlap (never a match). The span ``max(e) - min(s)`` is zero
      only for a one-frame proposal on the same one-frame GT (``s = e`` for
      both), where the official script divides by zero and stops; here that
      overlap is 1 (the two are identical).
    * matching is *not* one-to-one: each proposal independently takes the GT
      with the highest overlap >= theta (ties: the later GT), even if a
      higher-scored proposal already took it. Per GT, only its
      highest-scored proposal counts as a true positive; the others are
      duplicates and count as false positives in the precision. (The
      official loop compares with ``ground[-1]`` while a proposal is still
      unmatched; that changes nothing: the maximum is found either way.)
    * AP: proposals are removed from the lowest confidence upward (Python's
      stable ascending sort, so among equal scores the earlier input is
      removed first). Precision/recall are evaluated on the full set and
      after each removal of a *matched* proposal (removals of unmatched ones
      are not evaluated on their own); ``p_max`` is the running maximum of
      those precisions, and every drop of recall from ``r_old`` to ``r_new``
      adds ``p_max * (r_old - r_new)`` where ``p_max`` already includes the
      precision at ``r_new``. With no proposals left, or no GT, precision and
      recall are 0. This differs from VOC: e.g. a TP, an FP, then a TP (by
      score) with 2 GT give 2/3 here, 5/6 under VOC (tests).
    * mAP: the official ``mAP_action`` divides the sum of the per-class APs by
      51, all PKU-MMD classes; here the mean runs over the classes with GT, as
      for the other protocols (the same whenever every class has GT, as on
      the official test splits). The official script reports theta = 0.5;
      the metric reports every threshold given and their average.
"""
from typing import Optional, Sequence

import numpy as np

from .detection_map import (DEFAULT_TIOU_THRESHOLDS, GROUND_TRUTH_FIELDS,
                            PREDICTION_FIELDS, SegmentRecords,
                            TemporalMAPResult, _as_columns, _encode_videos,
                            _num_classes, _summarise, _validated_thresholds,
                            temporal_map)

ALLOWED_PROTOCOLS = ('voc', 'pkummd', 'anet')
LABEL_ENDS = ('inclusive', 'exclusive')


def pkummd_overlap(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """PKU-MMD's overlap matrix ``(min(e) - max(s)) / (max(e) - min(s))``.

    Args:
        pred (np.ndarray): ``(P, 2)`` rows ``[start, end]`` in PKU-MMD's
            numbers (:func:`official_frames`).
        gt (np.ndarray): ``(G, 2)`` rows ``[start, end]``, the same.

    Returns:
        np.ndarray: ``(P, G)`` float64; ``<= 0`` for disjoint intervals. A
        pair with a zero-length hull (the same single point) gets 1, where
        the official script divides by zero.
    """
    pred = np.asarray(pred, dtype=np.float64).reshape(-1, 2)
    gt = np.asarray(gt, dtype=np.float64).reshape(-1, 2)
    inner = (np.minimum(pred[:, None, 1], gt[None, :, 1]) -
             np.maximum(pred[:, None, 0], gt[None, :, 0]))
    hull = (np.maximum(pred[:, None, 1], gt[None, :, 1]) -
            np.minimum(pred[:, None, 0], gt[None, :, 0]))
    return np.divide(inner, hull, out=np.ones(inner.shape), where=hull > 0)


def official_frames(start: np.ndarray, end: np.ndarray,
                    label_end: str) -> np.ndarray:
    """``(N, 2)`` PKU-MMD frame numbers of half-open ``[start, end)``
    segments: ``[start, end - 1]`` for inclusive label ends, ``[start,
    end]`` for exclusive ones (:data:`LABEL_ENDS`)."""
    if label_end not in LABEL_ENDS:
        raise ValueError(f'label_end must be one of {LABEL_ENDS}, got '
                         f'{label_end!r}')
    last = end - 1 if label_end == 'inclusive' else end
    return np.stack([start, last], axis=1)


def pkummd_match(overlap: np.ndarray, threshold: float) -> np.ndarray:
    """Each proposal's GT under the official PKU-MMD rule.

    Args:
        overlap (np.ndarray): ``(P, G)`` overlaps; pairs that may not match
            (other video or class) must hold ``-inf``.
        threshold (float): Minimum overlap.

    Returns:
        np.ndarray: ``(P,)`` int64 GT column of the highest overlap >=
        ``threshold`` (ties: the last column), -1 where none qualifies.
    """
    overlap = np.asarray(overlap, dtype=np.float64)
    num_pred, num_gt = overlap.shape
    if num_gt == 0:
        return np.full(num_pred, -1, dtype=np.int64)
    last_best = num_gt - 1 - np.argmax(overlap[:, ::-1], axis=1)
    best = overlap[np.arange(num_pred), last_best]
    return np.where(best >= threshold, last_best, -1).astype(np.int64)


def pkummd_average_precision(scores: np.ndarray, matched_gt: np.ndarray,
                             num_gt: int) -> float:
    """The official PKU-MMD interpolated AP of one class (module docstring).

    Args:
        scores (np.ndarray): ``(P,)`` proposal confidences.
        matched_gt (np.ndarray): ``(P,)`` GT index of each proposal from
            :func:`pkummd_match`, -1 if unmatched.
        num_gt (int): Number of GT segments of the class.

    Returns:
        float: AP in ``[0, 1]``.
    """
    matched_gt = np.asarray(matched_gt, dtype=np.int64).reshape(-1)
    removal = matched_gt[np.argsort(np.asarray(scores, dtype=np.float64),
                                    kind='stable')]
    per_gt = np.bincount(removal[removal >= 0], minlength=num_gt)
    found = int(np.count_nonzero(per_gt))
    remaining = removal.size

    def precision_recall(found: int, remaining: int):
        if remaining == 0 or num_gt == 0:
            return 0.0, 0.0
        return found / remaining, found / num_gt

    best_precision, recall_before = precision_recall(found, remaining)
    area = 0.0
    for gt_index in removal:
        remaining -= 1
        if gt_index < 0:
            continue
        per_gt[gt_index] -= 1
        found -= int(per_gt[gt_index] == 0)
        precision, recall = precision_recall(found, remaining)
        best_precision = max(best_precision, precision)
        area += best_precision * (recall_before - recall)
        recall_before = recall
    return area


def pkummd_map(predictions: SegmentRecords,
               ground_truths: SegmentRecords,
               tiou_thresholds: Sequence[float] = (0.5, ),
               num_classes: Optional[int] = None,
               label_end: str = 'inclusive') -> TemporalMAPResult:
    """mAP under the official PKU-MMD protocol (module docstring).

    Args:
        predictions, ground_truths, num_classes: As for
            :func:`~.detection_map.temporal_map` (records or columns with
            ``video``, ``start``, ``end``, ``label`` [, ``score``];
            half-open ``[start, end)`` frames).
        tiou_thresholds: ``(H,)`` overlap thresholds in ``(0, 1]``; the
            official value is 0.5.
        label_end: How the label files' ends were read, ``'inclusive'``
            (PKU-MMD's) or ``'exclusive'``; sets the frame numbers the
            overlap is computed on (:func:`official_frames`).

    Returns:
        TemporalMAPResult: per-class AP, mAP per threshold (over classes
        with GT) and their average.
    """
    thresholds = _validated_thresholds(tiou_thresholds)
    pred = _as_columns(predictions, PREDICTION_FIELDS, 'predictions')
    gt = _as_columns(ground_truths, GROUND_TRUTH_FIELDS, 'ground_truths')
    pred_frames = official_frames(pred['start'], pred['end'], label_end)
    gt_frames = official_frames(gt['start'], gt['end'], label_end)
    num_classes = _num_classes(pred['label'], gt['label'], num_classes)
    pred_video, gt_video, _ = _encode_videos(pred['video'], gt['video'])
    num_gt = np.bincount(gt['label'], minlength=num_classes)
    num_pred = np.bincount(pred['label'], minlength=num_classes)
    class_ap = np.full((num_classes, thresholds.size), np.nan)
    for cls in np.flatnonzero(num_gt):
        in_pred = np.flatnonzero(pred['label'] == cls)
        in_gt = np.flatnonzero(gt['label'] == cls)
        overlap = pkummd_overlap(pred_frames[in_pred], gt_frames[in_gt])
        same_video = pred_video[in_pred, None] == gt_video[None, in_gt]
        overlap = np.where(same_video, overlap, -np.inf)
        for h, theta in enumerate(thresholds):
            class_ap[cls, h] = pkummd_average_precision(
                pred['score'][in_pred], pkummd_match(overlap, theta),
                in_gt.size)
    return _summarise(thresholds, class_ap, num_gt, num_pred)


def protocol_map(protocol: str,
                 predictions: SegmentRecords,
                 ground_truths: SegmentRecords,
                 tiou_thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS,
                 num_classes: Optional[int] = None,
                 label_end: str = 'inclusive') -> TemporalMAPResult:
    """mAP under a protocol chosen by name.

    Args:
        protocol (str): One of :data:`ALLOWED_PROTOCOLS`: ``'voc'``,
            ``'pkummd'``, ``'anet'`` (module docstring).
        predictions, ground_truths, tiou_thresholds, num_classes: As for
            :func:`~.detection_map.temporal_map`.
        label_end (str): ``'pkummd'`` only: how the label files' ends were
            read (:func:`pkummd_map`).

    Returns:
        TemporalMAPResult: AP fractions in ``[0, 1]``.

    Raises:
        ValueError: For an unknown protocol name.
    """
    check_protocol(protocol)
    if protocol == 'pkummd':
        return pkummd_map(predictions, ground_truths, tiou_thresholds,
                          num_classes, label_end)
    # 'voc' and 'anet' share their rules but the order of tied GTs.
    return temporal_map(
        predictions, ground_truths, tiou_thresholds, num_classes,
        tie_order='activitynet' if protocol == 'anet' else 'input')


def check_protocol(protocol: str) -> None:
    """Raise ValueError unless ``protocol`` is an allowed name."""
    if protocol not in ALLOWED_PROTOCOLS:
        raise ValueError(f'Unknown protocol {protocol!r}; allowed: '
                         f'{", ".join(ALLOWED_PROTOCOLS)}')

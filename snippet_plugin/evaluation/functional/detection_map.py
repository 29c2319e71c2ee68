"""Mean average precision of temporal action detections (VOC protocol).

PAPER_NOTES, "Stage 2: localization", mAP: per class, sort the predictions by
score, match each greedily to the best-IoU unmatched ground truth (GT) of the
same video with IoU >= theta, compute VOC all-point interpolated AP, and
average over the classes present in the GT. Intervals are half-open
``[start, end)`` frames (:mod:`.tiou`).

The greedy matching is sequential only inside one (class, video) group:
predictions of different groups never compete for the same GT. The
implementation therefore processes, at step ``k``, the ``k``-th ranked
candidate prediction of every group at once, for all thresholds at once, so
the Python loop runs over ``max`` candidates per group, not over predictions.
"""
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .tiou import paired_segment_iou

PREDICTION_FIELDS = ('video', 'start', 'end', 'label', 'score')
GROUND_TRUTH_FIELDS = ('video', 'start', 'end', 'label')
DEFAULT_TIOU_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5)
PAIR_CHUNK = 1 << 22
TIE_ORDERS = ('input', 'activitynet')

SegmentRecords = Union[Sequence[Mapping], Mapping[str, Sequence]]


@dataclass(frozen=True)
class TemporalMAPResult:
    """Result of :func:`temporal_map`. All AP values are fractions in [0, 1].

    Attributes:
        tiou_thresholds (np.ndarray): ``(H,)`` the tIoU thresholds.
        class_ap (np.ndarray): ``(K, H)`` AP per class and threshold; NaN for
            classes without ground truth (they are not averaged).
        num_gt (np.ndarray): ``(K,)`` ground-truth segments per class.
        num_pred (np.ndarray): ``(K,)`` predicted segments per class.
        mean_ap (np.ndarray): ``(H,)`` mAP per threshold over the classes
            present in the ground truth (NaN when there is no ground truth).
        average_mean_ap (float): ``mean_ap`` averaged over the thresholds.
    """
    tiou_thresholds: np.ndarray
    class_ap: np.ndarray
    num_gt: np.ndarray
    num_pred: np.ndarray
    mean_ap: np.ndarray
    average_mean_ap: float


def average_precision(recall: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """VOC all-point interpolated average precision.

    The precision is replaced by its monotone envelope
    ``p_interp(i) = max_{j >= i} p(j)`` and the area under the resulting step
    curve is ``sum_i (r(i) - r(i-1)) * p_interp(i)`` with ``r(-1) = 0``
    (Pascal VOC 2010+ devkit, the rule of PAPER_NOTES).

    Args:
        recall (np.ndarray): ``(..., N)`` recall after each ranked detection,
            non-decreasing along the last axis.
        precision (np.ndarray): ``(..., N)`` precision after each detection.

    Returns:
        np.ndarray: ``(...)`` AP; 0 where ``N == 0``. A 0-d array for 1-D
        input (use ``float()`` for a scalar).
    """
    recall = np.asarray(recall, dtype=np.float64)
    precision = np.asarray(precision, dtype=np.float64)
    if recall.shape != precision.shape:
        raise ValueError(f'recall {recall.shape} and precision '
                         f'{precision.shape} must have the same shape')
    if recall.shape[-1] == 0:
        return np.zeros(recall.shape[:-1])
    envelope = np.flip(
        np.maximum.accumulate(np.flip(precision, -1), axis=-1), -1)
    recall_steps = np.diff(recall, axis=-1, prepend=0.0)
    return np.sum(recall_steps * envelope, axis=-1)


def temporal_map(predictions: SegmentRecords,
                 ground_truths: SegmentRecords,
                 tiou_thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS,
                 num_classes: Optional[int] = None,
                 tie_order: str = 'input') -> TemporalMAPResult:
    """Mean average precision at several tIoU thresholds (VOC protocol).

    Rules (PAPER_NOTES, "Stage 2: localization"):

    * Per class, predictions are ranked by score, descending. Ties keep the
      input order (stable sort), so the earlier prediction ranks higher.
    * Each prediction, in rank order, takes the unmatched GT of the same video
      and class with the highest IoU, if that IoU is >= theta: a true
      positive (TP). Otherwise it is a false positive (FP); a second
      detection of an already matched GT is therefore a FP. GTs with equal
      IoU are taken in input order (``tie_order='input'``), or in the order
      ActivityNet's evaluator visits them (``'activitynet'``: that of
      ``np.argsort(iou)[::-1]`` over the IoUs of the prediction with every
      GT of its video and class, in input order; for two tied GTs the later
      one first).
    * AP per class by :func:`average_precision`; the mAP averages the classes
      that have at least one GT. A class with GT but no predictions has AP 0
      and is averaged; a class with predictions but no GT is not averaged.

    Args:
        predictions: Either a sequence of dicts with keys ``video``,
            ``start``, ``end``, ``label``, ``score``, or a mapping from those
            keys to equal-length arrays (columns). ``[start, end)`` is a
            half-open interval with ``end > start``; ``video`` ids are
            hashable values of one type (e.g. ``frame_dir`` strings).
        ground_truths: Same, with keys ``video``, ``start``, ``end``,
            ``label``.
        tiou_thresholds: ``(H,)`` thresholds in ``(0, 1]``.
        num_classes (int, optional): Number of classes K (labels
            ``0..K-1``). Defaults to the largest label seen plus one.
        tie_order (str): Order of GTs of equal IoU, one of
            :data:`TIE_ORDERS`.

    Returns:
        TemporalMAPResult: per-class AP, mAP per threshold and their average.
    """
    if tie_order not in TIE_ORDERS:
        raise ValueError(f'tie_order must be one of {TIE_ORDERS}, got '
                         f'{tie_order!r}')
    thresholds = _validated_thresholds(tiou_thresholds)
    pred = _as_columns(predictions, PREDICTION_FIELDS, 'predictions')
    gt = _as_columns(ground_truths, GROUND_TRUTH_FIELDS, 'ground_truths')
    num_classes = _num_classes(pred['label'], gt['label'], num_classes)
    pred_video, gt_video, num_videos = _encode_videos(pred['video'],
                                                      gt['video'])
    pred_group = pred['label'] * num_videos + pred_video
    gt_group = gt['label'] * num_videos + gt_video

    ranked = np.argsort(-pred['score'], kind='stable')
    true_positive = _greedy_match(pred, gt, pred_group, gt_group, ranked,
                                  thresholds, tie_order)
    class_ap, num_gt, num_pred = _class_average_precision(
        true_positive, pred['label'], gt['label'], ranked, num_classes)
    return _summarise(thresholds, class_ap, num_gt, num_pred)


def _validated_thresholds(tiou_thresholds: Sequence[float]) -> np.ndarray:
    """Thresholds as a ``(H,)`` float64 array, each in ``(0, 1]``."""
    thresholds = np.asarray(tiou_thresholds, dtype=np.float64).reshape(-1)
    if thresholds.size == 0 or np.any((thresholds <= 0) | (thresholds > 1)):
        raise ValueError('tiou_thresholds must be a non-empty sequence of '
                         f'values in (0, 1], got {list(tiou_thresholds)}')
    return thresholds


def _as_columns(records: SegmentRecords, fields: Tuple[str, ...],
                name: str) -> dict:
    """Validated columns from records or columns.

    Returns:
        dict: ``video`` as a list of ``N`` ids, ``start``/``end``/``score``
        as ``(N,)`` float64 and ``label`` as ``(N,)`` int64 arrays.
    """
    numeric = [f for f in fields if f != 'video']
    if isinstance(records, Mapping):
        missing = [f for f in fields if f not in records]
        if missing:
            raise KeyError(f'{name} lack the column(s) {missing}; '
                           f'required: {list(fields)}')
        columns = {
            f: np.asarray(records[f], dtype=np.float64).reshape(-1)
            for f in numeric
        }
        columns['video'] = np.asarray(records['video']).reshape(-1).tolist()
    else:
        try:
            columns = {
                f: np.fromiter(map(itemgetter(f), records), np.float64,
                               len(records))
                for f in numeric
            }
            columns['video'] = list(map(itemgetter('video'), records))
        except KeyError as err:
            raise KeyError(f'{name} lack the field {err}; required: '
                           f'{list(fields)}') from err
    _check_columns(columns, name)
    columns['label'] = columns['label'].astype(np.int64)
    return columns


def _check_columns(columns: dict, name: str) -> None:
    """Raise ValueError on ragged columns, non-finite numbers, labels that
    are not non-negative integers, or segments without ``end > start``."""
    lengths = {f: len(c) for f, c in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f'{name} columns differ in length: {lengths}')
    for field, values in columns.items():
        if field != 'video' and not np.all(np.isfinite(values)):
            raise ValueError(f'{name} have a non-finite {field!r}')
    label = columns['label']
    if np.any((label < 0) | (label != np.round(label))):
        raise ValueError(f'{name} have a label that is not a non-negative '
                         'integer')
    empty = columns['end'] <= columns['start']
    if np.any(empty):
        bad = int(np.flatnonzero(empty)[0])
        raise ValueError(
            f'{name}[{bad}] is empty or reversed: [start, end) = '
            f'[{columns["start"][bad]}, {columns["end"][bad]}); '
            'segments need end > start')


def _num_classes(pred_label: np.ndarray, gt_label: np.ndarray,
                 num_classes: Optional[int]) -> int:
    """K, checked against the labels (or inferred as largest label + 1)."""
    largest = int(max(pred_label.max(initial=-1), gt_label.max(initial=-1)))
    if num_classes is None:
        return largest + 1
    if largest >= num_classes:
        raise ValueError(f'label {largest} is out of range for '
                         f'num_classes={num_classes}')
    return int(num_classes)


def _encode_videos(pred_video: list,
                   gt_video: list) -> Tuple[np.ndarray, np.ndarray, int]:
    """Integer codes ``(P,)`` and ``(G,)`` for the video ids of both sets,
    and the number of distinct videos (codes in first-seen order)."""
    index = {}
    codes = np.fromiter(
        (index.setdefault(video, len(index))
         for video in chain(pred_video, gt_video)),
        dtype=np.int64,
        count=len(pred_video) + len(gt_video))
    return codes[:len(pred_video)], codes[len(pred_video):], len(index)


def _candidate_pairs(pred: dict, gt: dict, pred_group: np.ndarray,
                     gt_group: np.ndarray, min_threshold: float):
    """(prediction, GT) pairs of the same (class, video) group with
    IoU >= ``min_threshold``.

    Every prediction is paired with every GT of its group, a chunk of
    predictions at a time so that at most about ``PAIR_CHUNK`` unfiltered
    pairs exist at once.

    Returns:
        tuple: ``pair_pred (N,)``, ``pair_gt (N,)`` indices into the inputs
        and ``pair_iou (N,)``, ordered by prediction index, then GT index.
    """
    if gt_group.size == 0 or pred_group.size == 0:
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                np.zeros(0))
    gt_order = np.argsort(gt_group, kind='stable')
    groups, group_first, group_count = np.unique(gt_group[gt_order],
                                                 return_index=True,
                                                 return_counts=True)
    slot = np.minimum(np.searchsorted(groups, pred_group), groups.size - 1)
    count = np.where(groups[slot] == pred_group, group_count[slot], 0)
    first = group_first[slot]
    total = np.cumsum(count)
    cuts = np.searchsorted(total, np.arange(PAIR_CHUNK, total[-1],
                                            PAIR_CHUNK), side='right')
    chunks = []
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, pred_group.size]):
        pair_pred = np.repeat(np.arange(lo, hi), count[lo:hi])
        offset_in_group = np.arange(pair_pred.size) - np.repeat(
            np.cumsum(count[lo:hi]) - count[lo:hi], count[lo:hi])
        pair_gt = gt_order[np.repeat(first[lo:hi], count[lo:hi]) +
                           offset_in_group]
        pair_iou = paired_segment_iou(pred['start'][pair_pred],
                                      pred['end'][pair_pred],
                                      gt['start'][pair_gt],
                                      gt['end'][pair_gt])
        keep = pair_iou >= min_threshold
        chunks.append((pair_pred[keep], pair_gt[keep], pair_iou[keep]))
    return tuple(np.concatenate(column) for column in zip(*chunks))


def _greedy_match(pred: dict, gt: dict, pred_group: np.ndarray,
                  gt_group: np.ndarray, ranked: np.ndarray,
                  thresholds: np.ndarray,
                  tie_order: str = 'input') -> np.ndarray:
    """Greedy score-ordered matching of predictions to GT, every threshold.

    Args:
        pred, gt (dict): Columns from :func:`_as_columns`.
        pred_group, gt_group (np.ndarray): ``(P,)``, ``(G,)`` (class, video)
            group ids.
        ranked (np.ndarray): ``(P,)`` prediction indices, best score first
            (ties in input order).
        thresholds (np.ndarray): ``(H,)``.
        tie_order (str): Order of GTs of equal IoU (:func:`temporal_map`).

    Returns:
        np.ndarray: ``(H, P)`` bool, True where prediction p is a TP at
        threshold h.
    """
    num_thresholds, num_preds = thresholds.size, pred_group.size
    true_positive = np.zeros((num_thresholds, num_preds), dtype=bool)
    pair_pred, pair_gt, pair_iou = _candidate_pairs(pred, gt, pred_group,
                                                    gt_group, thresholds.min())
    if pair_pred.size == 0:
        return true_positive
    is_candidate = np.zeros(num_preds, dtype=bool)
    is_candidate[pair_pred] = True
    step = _step_within_group(ranked[is_candidate[ranked]], pred_group,
                              num_preds)
    # Stable sort: by step, then prediction, then IoU descending, then the
    # tie rank (by default the GT input order that _candidate_pairs made).
    pred_key = step * num_preds + np.arange(num_preds)
    tie_rank = (_activitynet_tie_rank(pred, gt, gt_group, pred_group,
                                      pair_pred, pair_gt, pair_iou)
                if tie_order == 'activitynet' else pair_gt)
    order = np.lexsort((tie_rank, -pair_iou, pred_key[pair_pred]))
    pair_pred, pair_gt, pair_iou = (pair_pred[order], pair_gt[order],
                                    pair_iou[order])
    pair_step = step[pair_pred]
    bounds = np.searchsorted(pair_step, np.arange(pair_step[-1] + 2))
    matched = np.zeros((num_thresholds, gt_group.size), dtype=bool)
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        _match_step(pair_pred[lo:hi], pair_gt[lo:hi], pair_iou[lo:hi],
                    thresholds, matched, true_positive)
    return true_positive


def _activitynet_tie_rank(pred: dict, gt: dict, gt_group: np.ndarray,
                          pred_group: np.ndarray, pair_pred: np.ndarray,
                          pair_gt: np.ndarray,
                          pair_iou: np.ndarray) -> np.ndarray:
    """Rank of each pair's GT in ActivityNet's visiting order.

    ActivityNet's evaluator (and MMAction2's copy) visits the GTs of a
    prediction's video in the order ``np.argsort(iou)[::-1]`` of the
    prediction's IoU with each of them. Among distinct IoUs that is
    descending IoU; among equal ones it is whatever numpy's ``argsort``
    gives for that whole row (not stable in general), so the row is sorted
    the same way here, for the predictions whose candidate pairs tie.

    Args:
        pred, gt (dict): Columns from :func:`_as_columns`.
        gt_group, pred_group (np.ndarray): ``(G,)``, ``(P,)`` group ids.
        pair_pred, pair_gt, pair_iou (np.ndarray): ``(N,)`` candidate pairs,
            ordered by prediction index, then GT index.

    Returns:
        np.ndarray: ``(N,)`` int64 rank, for a tie-break after IoU.
    """
    rank = pair_gt.astype(np.int64)
    by_iou = np.lexsort((pair_iou, pair_pred))
    tied = ((np.diff(pair_pred[by_iou]) == 0)
            & (np.diff(pair_iou[by_iou]) == 0))
    for p in np.unique(pair_pred[by_iou][1:][tied]):
        members = np.flatnonzero(gt_group == pred_group[p])
        row = paired_segment_iou(pred['start'][p], pred['end'][p],
                                 gt['start'][members], gt['end'][members])
        position = np.empty(members.size, dtype=np.int64)
        position[np.argsort(row)[::-1]] = np.arange(members.size)
        lo, hi = np.searchsorted(pair_pred, [p, p + 1])
        rank[lo:hi] = position[np.searchsorted(members, pair_gt[lo:hi])]
    return rank


def _step_within_group(candidates: np.ndarray, pred_group: np.ndarray,
                       num_preds: int) -> np.ndarray:
    """Position of each candidate among the candidates of its group.

    Args:
        candidates (np.ndarray): ``(N,)`` prediction indices in rank order.
        pred_group (np.ndarray): ``(P,)`` (class, video) group ids.
        num_preds (int): P.

    Returns:
        np.ndarray: ``(P,)`` int64 step (0 = the group's best-ranked
        candidate); -1 for predictions that are not candidates.
    """
    by_group = candidates[np.argsort(pred_group[candidates], kind='stable')]
    groups = pred_group[by_group]
    group_start = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    run_length = np.diff(np.r_[group_start, by_group.size])
    step = np.full(num_preds, -1, dtype=np.int64)
    step[by_group] = np.arange(by_group.size) - np.repeat(
        group_start, run_length)
    return step


def _match_step(pair_pred: np.ndarray, pair_gt: np.ndarray,
                pair_iou: np.ndarray, thresholds: np.ndarray,
                matched: np.ndarray, true_positive: np.ndarray) -> None:
    """Match one prediction per group (at most), all thresholds at once.

    The pairs are grouped by prediction and, within one, sorted by IoU
    descending then tie rank, so each prediction takes its first pair whose
    GT is unmatched and whose IoU reaches the threshold. Predictions of one
    step belong to different groups, hence never share a GT.

    Args:
        pair_pred, pair_gt, pair_iou (np.ndarray): ``(B,)`` the step's pairs.
        thresholds (np.ndarray): ``(H,)``.
        matched (np.ndarray): ``(H, G)`` bool, updated in place.
        true_positive (np.ndarray): ``(H, P)`` bool, updated in place.
    """
    num_pairs = pair_pred.size
    pred_start = np.flatnonzero(np.r_[True, pair_pred[1:] != pair_pred[:-1]])
    eligible = ((pair_iou[None, :] >= thresholds[:, None])
                & ~matched[:, pair_gt])
    position = np.where(eligible, np.arange(num_pairs), num_pairs)
    first = np.minimum.reduceat(position, pred_start, axis=1)
    threshold_idx, pred_idx = np.nonzero(first < num_pairs)
    matched[threshold_idx, pair_gt[first[threshold_idx, pred_idx]]] = True
    true_positive[threshold_idx, pair_pred[pred_start[pred_idx]]] = True


def _class_average_precision(true_positive: np.ndarray,
                             pred_label: np.ndarray, gt_label: np.ndarray,
                             ranked: np.ndarray, num_classes: int):
    """AP per class from the TP flags.

    Args:
        true_positive (np.ndarray): ``(H, P)`` bool.
        pred_label (np.ndarray): ``(P,)``.
        gt_label (np.ndarray): ``(G,)``.
        ranked (np.ndarray): ``(P,)`` prediction indices, best first.
        num_classes (int): K.

    Returns:
        tuple: ``class_ap (K, H)`` (NaN where a class has no GT),
        ``num_gt (K,)``, ``num_pred (K,)``.
    """
    num_thresholds = true_positive.shape[0]
    num_gt = np.bincount(gt_label, minlength=num_classes)
    num_pred = np.bincount(pred_label, minlength=num_classes)
    class_ap = np.full((num_classes, num_thresholds), np.nan)
    by_class = ranked[np.argsort(pred_label[ranked], kind='stable')]
    class_bounds = np.r_[0, np.cumsum(num_pred)]
    for cls in np.flatnonzero(num_gt):
        in_class = by_class[class_bounds[cls]:class_bounds[cls + 1]]
        hits = np.cumsum(true_positive[:, in_class], axis=1)
        precision = hits / np.arange(1, in_class.size + 1)
        class_ap[cls] = average_precision(hits / num_gt[cls], precision)
    return class_ap, num_gt, num_pred


def _summarise(thresholds: np.ndarray, class_ap: np.ndarray,
               num_gt: np.ndarray, num_pred: np.ndarray) -> TemporalMAPResult:
    """Average the APs over the classes that have ground truth."""
    present = num_gt > 0
    if present.any():
        mean_ap = class_ap[present].mean(axis=0)
    else:
        mean_ap = np.full(thresholds.size, np.nan)
    return TemporalMAPResult(
        tiou_thresholds=thresholds,
        class_ap=class_ap,
        num_gt=num_gt,
        num_pred=num_pred,
        mean_ap=mean_ap,
        average_mean_ap=float(mean_ap.mean()))

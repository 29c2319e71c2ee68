"""mAP at tIoU thresholds for temporal action localization, as an mmengine
metric."""
from collections import Counter
from typing import Any, List, Mapping, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from mmaction.registry import METRICS
from ...datasets.annotation import derive_frame_labels
from ..functional import (ALLOWED_PROTOCOLS, DEFAULT_TIOU_THRESHOLDS,
                          TemporalMAPResult, check_protocol, protocol_map,
                          segmentation_scores)


@METRICS.register_module()
class TemporalLocalizationMetric(BaseMetric):
    """Mean average precision of action segments at tIoU thresholds, and
    action-segmentation scores of frame labels.

    Protocols (:mod:`snippet_plugin.evaluation.functional.protocols`):

    * ``'voc'`` (default, :func:`~snippet_plugin.evaluation.functional.
      temporal_map`): per class, greedy score-ordered matching to the
      best-IoU unmatched ground truth with IoU >= theta over half-open
      ``[start, end)`` frame intervals, VOC all-point interpolated AP, mean
      over the classes present in the ground truth.
    * ``'anet'``: ActivityNet's ``compute_average_precision_detection``
      (as MMAction2 has it, with ActivityNet's float64 IoU); the ``'voc'``
      rules but for the order of GTs of equal IoU.
    * ``'pkummd'``: the official PKU-MMD evaluator (overlap over the hull
      on PKU-MMD's own frame numbers, non-exclusive best-overlap matching,
      its own interpolated AP); the official headline is ``mAP@0.5``, so
      keep 0.5 in ``tiou_thresholds``. The frame numbers follow
      ``dataset_meta['label_end']`` (``'inclusive'``, PKU-MMD's, when the
      meta does not say; the PKU-MMD converter writes it).

    Keys read from each data sample (the dict mmengine passes after
    ``to_dict()``; metainfo and data fields sit side by side):

    * ``frame_dir`` (str): video id; one data sample per video.
    * ``gt_segments``: ``(G, 3)`` rows ``[start, end_exclusive, class_id]``
      (array, tensor or nested list).
    * ``pred_segments``: either ``(P, 3)`` rows ``[start, end_exclusive,
      class_id]`` together with ``pred_segment_scores`` ``(P,)``, or a list
      of dicts with keys ``start``, ``end``, ``label``, ``score``. (The
      scores are not called ``pred_scores`` because ``ActionDataSample``
      reserves that name for a ``LabelData``.)

    * ``pred_frame_labels`` (optional): ``(T',)`` predicted class id per
      frame (background = K), ``T' >= total_frames``; frames from
      ``total_frames`` on (padding) are not evaluated. When present, the GT
      frame labels are derived from ``gt_segments`` and the metainfo
      ``total_frames`` (default ``T'``) by
      :func:`~snippet_plugin.datasets.annotation.derive_frame_labels`
      (background id K = ``len(dataset_meta['classes'])``, which must be
      set), and the MS-TCN segmentation scores are added
      (:func:`~snippet_plugin.evaluation.functional.segmentation_scores`,
      background K ignored for edit and F1). A sample without
      ``pred_frame_labels`` is silently left out of those scores; if no
      sample has them, the keys are absent.

    * ``unsmoothed_pred_segments``, ``unsmoothed_pred_segment_scores`` and
      ``unsmoothed_pred_frame_labels`` (optional): the same predictions
      without temporal smoothing, which
      :func:`~snippet_plugin.evaluation.predictions.set_frame_predictions`
      keeps beside smoothed ones. ``unsmoothed=True`` scores these (the
      paper's post-processing); a sample without them was not smoothed, and
      its plain predictions are scored.

    A sample without ``gt_segments`` has no ground truth (all background);
    one without ``pred_segments`` has no predictions. Class ids index
    ``dataset_meta['classes']`` (0..K-1; the background id K never appears in
    segments).

    :meth:`compute_metrics` returns percentages, as in the paper's tables:
    ``{'mAP@0.1': ..., ..., 'mAP@0.5': ..., 'mAP_avg': ...}``, plus ``acc``,
    ``edit``, ``F1@10``, ``F1@25``, ``F1@50`` with frame labels (logged
    under the prefix ``tal/``), and ``smoothing_s``, the smoothing window in
    seconds, when the samples record one (NaN if they disagree); it logs a
    table of per-class AP named after ``dataset_meta['classes']``.

    Args:
        tiou_thresholds (Sequence[float]): tIoU thresholds in ``(0, 1]``.
        protocol (str): Matching/AP protocol: ``'voc'``, ``'pkummd'`` or
            ``'anet'``.
        unsmoothed (bool): Score the unsmoothed predictions where a sample
            has them (see above). Defaults to False.
        collect_device (str): ``'cpu'`` or ``'gpu'``, for distributed runs.
        prefix (str, optional): Metric-name prefix; defaults to ``'tal'``.
        collect_dir (str, optional): Directory for collecting results across
            ranks on CPU.
    """
    default_prefix: Optional[str] = 'tal'

    def __init__(self,
                 tiou_thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS,
                 protocol: str = 'voc',
                 unsmoothed: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix,
                         collect_dir=collect_dir)
        check_protocol(protocol)
        self.protocol = protocol
        self.unsmoothed = unsmoothed
        self.tiou_thresholds = tuple(float(t) for t in tiou_thresholds)

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep each sample's predicted and ground-truth segments.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs as dicts, with the
                keys listed in the class docstring.
        """
        for sample in data_samples:
            if 'frame_dir' not in sample:
                raise KeyError('TemporalLocalizationMetric needs the video id '
                               "'frame_dir' in each data sample's metainfo; "
                               f'got keys {sorted(sample)}')
            key = ('unsmoothed_' if self.unsmoothed
                   and 'unsmoothed_pred_segments' in sample else '')
            segments, scores = _predicted_segments(sample, key)
            result = dict(
                video=sample['frame_dir'],
                pred_segments=segments,
                pred_scores=scores,
                gt_segments=_segment_array(
                    sample.get('gt_segments', []), 'gt_segments'),
                smoothing_s=None if self.unsmoothed else sample.get(
                    'smoothing_s'))
            if key + 'pred_frame_labels' in sample:
                frame_labels = _to_numpy(sample[key + 'pred_frame_labels']
                                         ).reshape(-1).astype(np.int64)
                total = int(sample.get('total_frames', frame_labels.size))
                if total > frame_labels.size:
                    raise ValueError(
                        f"{sample['frame_dir']}: {frame_labels.size} "
                        f'pred_frame_labels but total_frames={total}')
                result['pred_frame_labels'] = frame_labels[:total]
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> dict:
        """mAP (in percent) per threshold and averaged over thresholds.

        Args:
            results (list[dict]): What :meth:`process` kept, all ranks.

        Returns:
            dict: ``{'mAP@<theta>': float, ..., 'mAP_avg': float}``.
        """
        repeated = sorted(video for video, count in Counter(
            r['video'] for r in results).items() if count > 1)
        if repeated:
            raise ValueError('TemporalLocalizationMetric expects one data '
                             f'sample per video; repeated: {repeated[:5]}')
        meta = self.dataset_meta or {}
        classes = meta.get('classes')
        result = protocol_map(
            self.protocol,
            _columns(results, 'pred_segments', 'pred_scores'),
            _columns(results, 'gt_segments'),
            self.tiou_thresholds,
            num_classes=len(classes) if classes is not None else None,
            label_end=meta.get('label_end', 'inclusive'))
        print_log('\n' + format_ap_table(result, classes), logger='current')
        metrics = {
            f'mAP@{theta:g}': 100.0 * float(value)
            for theta, value in zip(result.tiou_thresholds, result.mean_ap)
        }
        metrics['mAP_avg'] = 100.0 * result.average_mean_ap
        windows = {r['smoothing_s'] for r in results} - {None}
        if windows:
            metrics['smoothing_s'] = (float(windows.pop()) if len(windows) ==
                                      1 else float('nan'))
        metrics.update(_segmentation_metrics(results, classes))
        return metrics


def _segmentation_metrics(results: List[dict],
                          classes: Optional[Sequence[str]]) -> dict:
    """MS-TCN scores (percent) of the results with ``pred_frame_labels``;
    empty when there are none."""
    with_frames = [r for r in results if 'pred_frame_labels' in r]
    if not with_frames:
        return {}
    if classes is None:
        raise ValueError("pred_frame_labels need dataset_meta['classes'] to "
                         'fix the background id (= number of classes)')
    background = len(classes)
    gt_labels = [
        derive_frame_labels(r['gt_segments'].astype(np.int64),
                            r['pred_frame_labels'].size, background)
        for r in with_frames
    ]
    return segmentation_scores([r['pred_frame_labels'] for r in with_frames],
                               gt_labels,
                               ignore_labels=(background, ))


def format_ap_table(result: TemporalMAPResult,
                    classes: Optional[Sequence[str]] = None) -> str:
    """Plain-text table of per-class AP (percent), one column per threshold.

    Classes without ground truth show ``-`` (they are not averaged).

    Args:
        result (TemporalMAPResult): Output of ``temporal_map``.
        classes (Sequence[str], optional): Class names by id.

    Returns:
        str: The table, last row the mean over classes with ground truth.
    """
    names = [
        str(classes[i]) if classes is not None and i < len(classes) else
        str(i) for i in range(result.class_ap.shape[0])
    ]
    header = ['class', '#gt', '#pred'
              ] + [f'AP@{t:g}' for t in result.tiou_thresholds]
    rows = [[
        name,
        str(result.num_gt[i]),
        str(result.num_pred[i])
    ] + [_percent(ap) for ap in result.class_ap[i]]
            for i, name in enumerate(names)]
    rows.append(['mean', str(result.num_gt.sum()),
                 str(result.num_pred.sum())] +
                [_percent(ap) for ap in result.mean_ap])
    widths = [max(len(r[c]) for r in [header] + rows)
              for c in range(len(header))]
    lines = [
        '  '.join(cell.ljust(w) if c == 0 else cell.rjust(w)
                  for c, (cell, w) in enumerate(zip(row, widths)))
        for row in [header] + rows
    ]
    lines.insert(1, '-' * len(lines[0]))
    lines.insert(len(lines) - 1, '-' * len(lines[0]))
    return '\n'.join(lines)


def _percent(value: float) -> str:
    """AP fraction as a percent string, ``-`` for NaN."""
    return '-' if np.isnan(value) else f'{100.0 * value:.2f}'


def _to_numpy(value: Any) -> np.ndarray:
    """Array from a tensor, array or nested sequence."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _segment_array(value: Any, key: str) -> np.ndarray:
    """``(N, 3)`` float64 ``[start, end, class_id]`` rows, validated."""
    segments = _to_numpy(value).astype(np.float64)
    if segments.size == 0:
        return np.zeros((0, 3))
    if segments.ndim != 2 or segments.shape[1] != 3:
        raise ValueError(f'{key} must be (N, 3) rows [start, end, class_id],'
                         f' got shape {segments.shape}')
    return segments


def _predicted_segments(sample: Mapping, key: str = '') -> tuple:
    """``(P, 3)`` predicted segments and ``(P,)`` scores of one sample, read
    from ``<key>pred_segments`` and ``<key>pred_segment_scores``."""
    predicted = sample.get(key + 'pred_segments', [])
    if len(predicted) and isinstance(predicted[0], Mapping):
        segments = np.array([[p['start'], p['end'], p['label']]
                             for p in predicted], dtype=np.float64)
        return segments, np.array([p['score'] for p in predicted],
                                  dtype=np.float64)
    segments = _segment_array(predicted, key + 'pred_segments')
    if len(segments) and key + 'pred_segment_scores' not in sample:
        raise KeyError(f"'{key}pred_segments' given as an array needs "
                       f"'{key}pred_segment_scores' (P,) next to it")
    scores = _to_numpy(sample.get(key + 'pred_segment_scores',
                                  [])).astype(np.float64).reshape(-1)
    if scores.size != len(segments):
        raise ValueError(f'{len(segments)} {key}pred_segments but '
                         f'{scores.size} {key}pred_segment_scores')
    return segments, scores


def _columns(results: List[dict],
             segment_key: str,
             score_key: Optional[str] = None) -> dict:
    """Column form (``video``, ``start``, ``end``, ``label`` [, ``score``])
    of the segments of all results, for ``temporal_map``."""
    segments = [r[segment_key] for r in results]
    columns = dict(
        video=np.repeat(
            np.array([r['video'] for r in results], dtype=object),
            [len(s) for s in segments]))
    stacked = np.concatenate(segments) if segments else np.zeros((0, 3))
    columns.update(start=stacked[:, 0], end=stacked[:, 1],
                   label=stacked[:, 2])
    if score_key is not None:
        columns['score'] = np.concatenate(
            [r[score_key] for r in results]) if results else np.zeros(0)
    return columns

"""Frame-wise class scores of a packed sample -> predictions in original
frames, written on the data sample the way ``TemporalLocalizationMetric``
reads them. Shared by every model or loop that localizes."""
from typing import Optional

import numpy as np
import torch

from .functional import (frames_to_segments, smooth_frame_scores,
                         smoothing_window_frames)


def original_frames(sample, valid: torch.Tensor) -> torch.Tensor:
    """Original frame of each valid packed frame, checked to cover the
    sequence exactly once.

    ``frame_inds`` (``-1`` on padding) map packed frames back to the
    sequence; without it the valid frames are the sequence in order.

    Args:
        sample: ``ActionDataSample`` with metainfo ``total_frames`` (the
            original length ``T_ori``) and, optionally, ``frame_inds``
            ``(T,)``.
        valid: ``(T,)`` bool, the real frames.

    Returns:
        ``(T_valid,)`` long indices into ``[0, T_ori)``.

    Raises:
        ValueError: if the sample does not hold every original frame
            exactly once (one data sample per video, as the metric expects:
            use a whole-sequence pipeline such as ``PadFrames``).
    """
    num_valid = int(valid.sum())
    total = int(sample.metainfo.get('total_frames', num_valid))
    if 'frame_inds' in sample:
        frames = sample.frame_inds.to(valid.device)[valid]
    else:
        frames = torch.arange(num_valid, device=valid.device)
    in_range = bool(((frames >= 0) & (frames < total)).all())
    if not in_range or num_valid != total or frames.unique().numel() != total:
        raise ValueError(
            'localization needs every frame of a sequence exactly once per '
            'data sample (a whole-sequence pipeline such as PadFrames, no '
            f'dataset window); {sample.metainfo.get("frame_dir")!r} holds '
            f'{num_valid} frames of {total}')
    return frames


def postprocess_frame_scores(frame_scores: np.ndarray, background_id: int,
                             window: int = 1, **postprocess) -> dict:
    """Smooth a sequence's frame scores, then propose segments.

    Args:
        frame_scores: ``(K + 1, T)`` class probabilities of every frame.
        background_id: Row of the background class (``K``).
        window: Odd smoothing window in frames (1: the paper's
            post-processing, no smoothing).
        **postprocess: Keyword arguments of :func:`frames_to_segments`.

    Returns:
        dict: ``frame_scores`` ``(K + 1, T)`` float64 (smoothed),
        ``frame_labels`` ``(T,)`` int64 (their argmax), ``segments``
        ``(S, 3)`` int64 ``[start, end, class]`` and ``segment_scores``
        ``(S,)``.
    """
    smoothed = smooth_frame_scores(frame_scores, window=window)
    segments, segment_scores = frames_to_segments(
        smoothed, background_id=background_id, **postprocess)
    return dict(frame_scores=smoothed, frame_labels=smoothed.argmax(axis=0),
                segments=segments, segment_scores=segment_scores)


def sample_window(sample, smoothing_s: Optional[float]) -> int:
    """The smoothing window in frames of ``smoothing_s`` seconds at the
    sample's ``fps`` (metainfo); 1 when ``smoothing_s`` is 0 or None.

    Raises:
        ValueError: smoothing is asked for but the sample has no ``fps``.
    """
    if not smoothing_s:
        return 1
    fps = sample.metainfo.get('fps')
    if not fps:
        raise ValueError(
            f'{sample.metainfo.get("frame_dir")!r}: smoothing_s='
            f'{smoothing_s} needs the frame rate, but the sample has no fps '
            "(set the dataset's metainfo fps or the annotation meta 'fps')")
    return smoothing_window_frames(smoothing_s, fps)


def sequence_frame_scores(sample, scores: torch.Tensor,
                          valid: torch.Tensor) -> np.ndarray:
    """``(K + 1, T_ori)`` float64 scores in original frame order from the
    ``(K + 1, T_valid)`` scores of a packed sample's valid frames."""
    frames = original_frames(sample, valid)
    total = int(sample.metainfo.get('total_frames', int(valid.sum())))
    frame_scores = scores.new_zeros((scores.shape[0], total))
    frame_scores[:, frames] = scores
    return frame_scores.float().cpu().numpy().astype(np.float64)


def set_frame_predictions(sample, scores: torch.Tensor, valid: torch.Tensor,
                          background_id: int,
                          smoothing_s: Optional[float] = None,
                          **postprocess) -> None:
    """Write a sample's predictions in original frame coordinates.

    The scores are first smoothed over ``smoothing_s`` seconds at the
    sample's ``fps`` (:func:`postprocess_frame_scores`; None, the default,
    or 0 = the paper's post-processing). Sets:

    * metainfo ``pred_segments`` int64 ``(S, 3)`` ``[start, end, class]``
      (half-open) and ``pred_segment_scores`` ``(S,)`` from
      :func:`frames_to_segments`;
    * fields ``pred_frame_scores`` float ``(K + 1, T_ori)`` (CPU, smoothed)
      and ``pred_frame_labels`` long ``(T_ori,)``;
    * when ``smoothing_s`` is given (not None), metainfo ``smoothing_s`` and
      ``smoothing_window`` (frames), which the metric reports;
    * when the window is wider than a frame, the paper's unsmoothed
      predictions beside them, for reporting both protocols:
      ``unsmoothed_pred_segments``, ``unsmoothed_pred_segment_scores``
      (metainfo) and ``unsmoothed_pred_frame_labels`` (field).

    Args:
        sample: The ``ActionDataSample`` (see :func:`original_frames`).
        scores: ``(K + 1, T_valid)`` class probabilities of the valid frames,
            in packed order.
        valid: ``(T,)`` bool, the real frames of the packed sample.
        background_id: Row of the background class (``K``).
        smoothing_s: Smoothing window in seconds, ``>= 0``, or None.
        **postprocess: Keyword arguments of :func:`frames_to_segments`.
    """
    raw = sequence_frame_scores(sample, scores, valid)
    window = sample_window(sample, smoothing_s)
    final = postprocess_frame_scores(raw, background_id, window,
                                     **postprocess)
    sample.set_metainfo(
        dict(pred_segments=final['segments'],
             pred_segment_scores=final['segment_scores']))
    if smoothing_s is not None:
        sample.set_metainfo(dict(smoothing_s=float(smoothing_s),
                                 smoothing_window=window))
    sample.set_field(torch.from_numpy(final['frame_scores']).float(),
                     'pred_frame_scores')
    sample.set_field(torch.from_numpy(final['frame_labels']),
                     'pred_frame_labels')
    if window > 1:
        paper = postprocess_frame_scores(raw, background_id, 1,
                                         **postprocess)
        sample.set_metainfo(
            dict(unsmoothed_pred_segments=paper['segments'],
                 unsmoothed_pred_segment_scores=paper['segment_scores']))
        sample.set_field(torch.from_numpy(paper['frame_labels']),
                         'unsmoothed_pred_frame_labels')

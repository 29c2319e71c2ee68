"""Frame-wise class scores of a packed sample -> predictions in original
frames, written on the data sample the way ``TemporalLocalizationMetric``
reads them. Shared by every model or loop that localizes."""
import numpy as np
import torch

from .functional import frames_to_segments


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


def set_frame_predictions(sample, scores: torch.Tensor, valid: torch.Tensor,
                          background_id: int, **postprocess) -> None:
    """Write a sample's predictions in original frame coordinates.

    Sets metainfo ``pred_segments`` int64 ``(S, 3)`` ``[start, end,
    class]`` (half-open) and ``pred_segment_scores`` ``(S,)`` from
    :func:`frames_to_segments`, and the fields ``pred_frame_scores`` float
    ``(K + 1, T_ori)`` (CPU) and ``pred_frame_labels`` long ``(T_ori,)``.

    Args:
        sample: The ``ActionDataSample`` (see :func:`original_frames`).
        scores: ``(K + 1, T_valid)`` class probabilities of the valid frames,
            in packed order.
        valid: ``(T,)`` bool, the real frames of the packed sample.
        background_id: Row of the background class (``K``).
        **postprocess: Keyword arguments of :func:`frames_to_segments`.
    """
    frames = original_frames(sample, valid)
    total = int(sample.metainfo.get('total_frames', int(valid.sum())))
    frame_scores = scores.new_zeros((scores.shape[0], total))
    frame_scores[:, frames] = scores
    frame_scores = frame_scores.float().cpu()
    segments, segment_scores = frames_to_segments(
        frame_scores.numpy().astype(np.float64),
        background_id=background_id, **postprocess)
    sample.set_metainfo(
        dict(pred_segments=segments, pred_segment_scores=segment_scores))
    sample.set_field(frame_scores, 'pred_frame_scores')
    sample.set_field(frame_scores.argmax(dim=0), 'pred_frame_labels')

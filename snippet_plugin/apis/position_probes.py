"""Position probes: do an encoder's features say where a snippet sits in the
window rather than what moves in it? (issue 21)

The dense snippet loss can be satisfied by a position code: with zero
temporal padding a deep level sees the window's edges, and similarity
matching (Eq. 4) then pairs snippets by position. Two probes of the last
backbone level measure it, for any encoder ``(N, M, T, V, C) -> levels
[(N, C_l, T_l)]`` (``SkeletonMoCo.extract_feat``, a ``MultiScaleGCN``) in
eval mode:

* :func:`still_pose_similarities` (probe A): one pose held still for a
  window, pooled into snippets; a position-free encoder gives cosine 1
  between every pair of snippets.
* :func:`shifted_window_similarities` (probe B): two windows of one real
  sequence, half a window apart; the frames they share sit in the second
  half of one and the first half of the other. A position-free encoder
  gives them the same features (cosine 1). Its control,
  :func:`different_frame_similarities`, scores different frames the same
  distance apart: a collapsed encoder gives 1 in both.

``tools/analysis/position_probe.py`` prints both for a pretraining
checkpoint.
"""
from typing import Callable, Iterable, Iterator, List, Sequence

import torch
import torch.nn.functional as F

from ..models.selfsup.heads import resample_snippets

#: ``(N, M, T, V, C) -> [(N, C_l, T_l)]``: the encoders the probes read.
Encoder = Callable[[torch.Tensor], Sequence[torch.Tensor]]


@torch.no_grad()
def still_pose_similarities(encoder: Encoder, pose: torch.Tensor,
                            num_frames: int,
                            num_snippets: int) -> List[float]:
    """Probe A: cosine of snippet 0 to each later snippet of a still pose.

    The pose is repeated for ``num_frames`` frames; the last level
    ``(1, C, T_l)`` is cut into ``S`` snippet features as the dense head
    pools them (:func:`resample_snippets`, Eq. 3's adaptive local pooling)
    and ``cos(f_0, f_i)`` is returned for ``i = 1 .. S - 1``.

    Args:
        encoder (Callable): See :data:`Encoder`; put it in eval mode.
        pose (Tensor): ``(M, V, C)``, the persons' joints of one frame.
        num_frames (int): Window length ``T``.
        num_snippets (int): ``S >= 2``.

    Returns:
        list[float]: ``S - 1`` cosines.
    """
    if num_snippets < 2:
        raise ValueError(f'num_snippets must be >= 2, got {num_snippets}')
    window = pose.unsqueeze(1).expand(-1, num_frames, -1,
                                      -1).unsqueeze(0).contiguous()
    snippets = resample_snippets(encoder(window)[-1], num_snippets)[0]
    return F.cosine_similarity(snippets[:, :1], snippets[:, 1:],
                               dim=0).tolist()


def window_shift(window: int, stride: int) -> int:
    """Probe B's shift: the largest multiple of the stride ``s`` not above
    half the window, so that the two windows' steps cover the same frames.
    """
    shift = window // 2 // stride * stride
    if shift < 1:
        raise ValueError(f'a window of {window} frames holds no shift by a '
                         f'multiple of the stride {stride}')
    return shift


def shifted_window_features(encoder: Encoder,
                            sequences: Iterable[torch.Tensor], window: int,
                            stride: int) -> Iterator[torch.Tensor]:
    """Probe B's two windows of each long enough sequence, encoded.

    For a sequence ``(M, T, V, C)`` with ``T >= window + shift``
    (:func:`window_shift`): window ``a`` starts at ``t_0`` (the sequence's
    centre minus half the span), window ``b`` at ``t_0 + shift``; shorter
    sequences are skipped.

    Yields:
        Tensor: ``(2, C, T_l)``, the last level of ``a`` and of ``b``.
    """
    shift = window_shift(window, stride)
    for sequence in sequences:
        start = (sequence.shape[1] - window - shift) // 2
        if start < 0:
            continue
        windows = torch.stack([
            sequence[:, start:start + window],
            sequence[:, start + shift:start + shift + window]
        ])
        yield encoder(windows)[-1]


@torch.no_grad()
def shifted_window_similarities(encoder: Encoder,
                                sequences: Iterable[torch.Tensor],
                                window: int, stride: int) -> List[float]:
    """Probe B: per sequence, the mean cosine of two windows' last-level
    features on the frames they share.

    With ``shift = d s`` (:func:`window_shift`, ``s`` the level's stride)
    between the windows of :func:`shifted_window_features`, step ``k + d``
    of ``a`` and step ``k`` of ``b`` cover the same frames; their cosines
    are averaged over the ``k`` whose steps lie wholly inside both windows.
    A position-free encoder gives 1 (so does a constant one:
    :func:`different_frame_similarities` tells them apart).

    Args:
        encoder (Callable): See :data:`Encoder`; put it in eval mode.
        sequences (Iterable[Tensor]): ``(M, T, V, C)`` each, normalised as
            in training; those shorter than ``window + shift`` are skipped.
        window (int): Window length, ``>= 2 s``.
        stride (int): Temporal stride ``s`` of the encoder's last level.

    Returns:
        list[float]: One mean cosine per sequence long enough.
    """
    offset = window_shift(window, stride) // stride
    shared_steps = window // stride - offset
    return [
        float(F.cosine_similarity(feats[0, :, offset:offset + shared_steps],
                                  feats[1, :, :shared_steps], dim=0).mean())
        for feats in shifted_window_features(encoder, sequences, window,
                                             stride)
    ]


@torch.no_grad()
def different_frame_similarities(encoder: Encoder,
                                 sequences: Iterable[torch.Tensor],
                                 window: int, stride: int) -> List[float]:
    """Probe B's control: per sequence, the mean cosine of steps ``d`` apart
    in one window, i.e. of different frames as far apart as the two windows.

    Probe B near 1 means "the same frames agree" only if different frames
    do not: a constant (collapsed) encoder scores 1 in both. The margin
    ``(B - control) / (1 - control)`` is the part of the gap between
    different frames and perfect agreement that the shared frames close.
    Both windows of :func:`shifted_window_features` contribute the pairs
    ``(k, k + d)`` of their whole steps.

    Args:
        encoder, sequences, window, stride: As for
            :func:`shifted_window_similarities`.

    Returns:
        list[float]: One mean cosine per sequence long enough.
    """
    offset = window_shift(window, stride) // stride
    whole_steps = window // stride
    return [
        float(F.cosine_similarity(feats[:, :, offset:whole_steps],
                                  feats[:, :, :whole_steps - offset],
                                  dim=1).mean())
        for feats in shifted_window_features(encoder, sequences, window,
                                             stride)
    ]

"""Padding in pretraining: which feature steps hold real frames, and means
that leave the others out.

``RandomWindowCrop`` zero-pads a sequence shorter than the window
(``frame_mask`` False). The pretraining losses mask that padding rather than
never padding in pretraining. Why: BABEL's sequences average 11.9 s with a
std of 16.2 s, so many windows are mostly padding, and every way not to pad
costs more than masking: dropping short sequences loses much of the data;
looping or stretching them invents motion (a loop adds a jump, a stretch
changes the tempo RVTCLR contrasts); cropping every window to the shortest
sequence of its batch shortens the snippets; variable-length batches
(batch 1 or bucketing) change the batch statistics and the queue rate.
Masking keeps every sequence, every batch shape and the snippet duration.

What it cannot remove is the backbone's own view of the padding: temporal
convolutions near the last real frame and batch normalisation statistics
still see the padded (zero) frames. Every pooling the losses read (global,
motion, part, snippet, queue) averages real steps only; with no padding in
a batch the masks are ``None``, and every module computes exactly what it
did before masking existed, bit for bit.
"""
from typing import Optional

import torch
import torch.nn.functional as F


def feature_step_mask(frame_mask: torch.Tensor, stride: int) -> torch.Tensor:
    """Which steps of a backbone level hold a real frame.

    Step ``t`` of a level with temporal stride ``s`` covers frames
    ``[t s, (t + 1) s)`` (MMAction2's GCNs map ``T`` frames to
    ``ceil(T / s)`` steps); it is real iff one of those frames is.

    Args:
        frame_mask (Tensor): ``(N, T)`` bool, True on real frames.
        stride (int): ``s >= 1``.

    Returns:
        Tensor: ``(N, ceil(T / s))`` bool.
    """
    if frame_mask.dim() != 2 or stride < 1:
        raise ValueError(f'feature_step_mask needs a (N, T) frame mask and a '
                         f'stride >= 1, got {tuple(frame_mask.shape)} and '
                         f'{stride}')
    real = frame_mask.to(torch.float32).unsqueeze(1)
    return F.max_pool1d(real, stride, stride, ceil_mode=True).squeeze(1) > 0


def masked_mean(values: torch.Tensor,
                mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Mean over the last axis of the entries where ``mask`` is True.

    ``sum_t m_t x_t / sum_t m_t``; a row without a True entry gives 0.

    Args:
        values (Tensor): ``(N, C, L)``.
        mask (Tensor, optional): ``(N, L)`` bool; None is the plain mean.

    Returns:
        Tensor: ``(N, C)``.
    """
    if mask is None:
        return values.mean(dim=2)
    check_step_mask(mask, values)
    weights = mask.to(values.dtype).unsqueeze(1)
    return (values * weights).sum(dim=2) / weights.sum(dim=2).clamp_min(1)


def check_step_mask(mask: torch.Tensor,
                    features: torch.Tensor,
                    name: str = 'step mask') -> None:
    """Refuse a mask ``(N, L)`` that does not fit features ``(N, C, L)``;
    ``name`` names the mask in the error."""
    if mask.shape != (features.shape[0], features.shape[-1]):
        raise ValueError(
            f'{name} {tuple(mask.shape)} does not fit features '
            f'{tuple(features.shape)}: it needs one entry per sample and '
            'step (N, L)')

"""Learned temporal refinement of frame-wise logits: the refinement stages of
MS-TCN (Farha & Gall, CVPR 2019, "MS-TCN: Multi-Stage Temporal
Convolutional Network for Action Segmentation"), as MS-GCN (Filtjens et
al.) stacks them on a skeleton GCN.

A frame-wise classifier decides every frame on its own features, so its
labels flicker and segments shatter. Each refinement stage reads only the
previous stage's class probabilities ``(N, K + 1, T)`` and predicts new
logits from a wide temporal context (dilations ``1, 2, ..., 2^(L-1)``: a
receptive field of ``2^(L+1) - 1`` frames), so it learns which label
sequences are plausible. Every stage is supervised (MS-TCN Sec. 3.2-3.3):
``L = sum_s (L_cls(s) + λ L_T-MSE(s))``, frame cross-entropy plus truncated
MSE smoothing.

Padding (``frame_mask``, True on real frames) contributes zeros: the
activations are multiplied by the mask after every layer (1x1 input
projection included), so no kernel-3 convolution reads a padded frame and a
real frame's output is the same with trailing padding as without.
"""
from typing import Callable, Dict, List, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from mmaction.registry import MODELS


class DilatedResidualLayer(nn.Module):
    """``h + Dropout(W_2 * ReLU(W_1 *_d h))``, zeroed on padding: MS-TCN's
    dilated residual layer (Sec. 3.1).

    ``W_1``: kernel-3 convolution with dilation ``d`` (same length);
    ``W_2``: 1x1 convolution. ``(N, C, T) -> (N, C, T)``.

    Args:
        channels (int): ``C``.
        dilation (int): ``d``.
        dropout (float): Dropout probability on the residual branch.
    """

    def __init__(self, channels: int, dilation: int, dropout: float) -> None:
        super().__init__()
        self.dilated_conv = nn.Conv1d(channels, channels, 3,
                                      padding=dilation, dilation=dilation)
        self.pointwise_conv = nn.Conv1d(channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, features: torch.Tensor,
                mask: torch.Tensor) -> torch.Tensor:
        """Args: features ``(N, C, T)``, zero on padding; mask ``(N, 1, T)``
        float. Returns ``(N, C, T)``, zero on padding."""
        branch = self.pointwise_conv(F.relu(self.dilated_conv(features)))
        return (features + self.dropout(branch)) * mask


class RefinementStage(nn.Module):
    """One refinement stage: probabilities ``(N, K + 1, T)`` -> logits
    ``(N, K + 1, T)``.

    1x1 conv to ``channels``, ``num_layers`` :class:`DilatedResidualLayer`
    with dilation ``2^i`` (``i = 0 .. num_layers - 1``), 1x1 conv back to
    ``K + 1`` logits; the input projection, every layer's output and the
    logits are zeroed on padding, so no convolution reads a padded frame.

    Args:
        num_rows (int): ``K + 1``.
        channels (int): Width of the dilated layers.
        num_layers (int): ``L``.
        dropout (float): Dropout probability of every layer.
    """

    def __init__(self, num_rows: int, channels: int, num_layers: int,
                 dropout: float) -> None:
        super().__init__()
        self.conv_in = nn.Conv1d(num_rows, channels, 1)
        self.layers = nn.ModuleList(
            DilatedResidualLayer(channels, 2**i, dropout)
            for i in range(num_layers))
        self.conv_out = nn.Conv1d(channels, num_rows, 1)

    def forward(self, probs: torch.Tensor,
                mask: torch.Tensor) -> torch.Tensor:
        """Args: probs ``(N, K + 1, T)``; mask ``(N, 1, T)`` float.
        Returns logits ``(N, K + 1, T)``, zero on padding."""
        features = self.conv_in(probs) * mask
        for layer in self.layers:
            features = layer(features, mask)
        return self.conv_out(features) * mask


@MODELS.register_module()
class MultiStageRefinement(BaseModule):
    """MS-TCN refinement stages on top of a frame-wise head's logits.

    :meth:`forward` turns the head's logits ``(N, K + 1, T)`` into one
    logits tensor per stage: stage ``s`` reads ``softmax(logits_{s-1})``
    over the ``K + 1`` rows (background last) and predicts ``logits_s``
    (:class:`RefinementStage`). Prediction reads the last stage.

    :meth:`loss` supervises every stage ``s = 0 .. S`` (stage 0 is the
    head) with MS-TCN's ``L_s = L_cls + λ L_T-MSE``: ``L_cls`` is the
    head's masked frame cross-entropy (passed in as ``frame_loss``, e.g.
    :meth:`FramewiseLocalizationHead.loss_frame`), ``L_T-MSE`` is
    :meth:`smoothing_loss`.

    Weak (video-label) supervision is not supported: the stages read and
    are trained on softmax frame probabilities, whose background row the
    weak loss never trains (``SkeletonLocalizer`` refuses the combination).

    Args:
        num_classes (int): ``K``, action classes without background
            (``SkeletonLocalizer`` fills it in from its head).
        num_stages (int): Refinement stages after the head. Defaults to 3
            (MS-TCN's four stages in all).
        num_layers (int): Dilated residual layers per stage. Defaults to
            10.
        channels (int): Width of the dilated layers. Defaults to 64.
        dropout (float): Dropout probability in every layer. Defaults to
            0.5.
        smooth_weight (float): ``λ``. Defaults to 0.15.
        smooth_clip (float): ``τ``, where the smoothing loss truncates
            each log-probability difference. Defaults to 4.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 num_stages: int = 3,
                 num_layers: int = 10,
                 channels: int = 64,
                 dropout: float = 0.5,
                 smooth_weight: float = 0.15,
                 smooth_clip: float = 4.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_stages < 1 or num_layers < 1:
            raise ValueError(f'num_stages and num_layers must be >= 1, got '
                             f'{num_stages} and {num_layers}')
        if smooth_clip <= 0 or smooth_weight < 0:
            raise ValueError(f'need smooth_clip > 0 and smooth_weight >= 0, '
                             f'got {smooth_clip} and {smooth_weight}')
        self.num_classes = num_classes
        self.smooth_weight = smooth_weight
        self.smooth_clip = smooth_clip
        self.stages = nn.ModuleList(
            RefinementStage(num_classes + 1, channels, num_layers, dropout)
            for _ in range(num_stages))

    def forward(self, logits: torch.Tensor,
                frame_mask: torch.Tensor) -> List[torch.Tensor]:
        """The refined logits of every stage.

        Args:
            logits (Tensor): The head's ``(N, K + 1, T)``.
            frame_mask (Tensor): ``(N, T)`` bool, True on real frames.

        Returns:
            list[Tensor]: ``num_stages`` logits ``(N, K + 1, T)``, the last
            one final; zero on padded frames.
        """
        mask = frame_mask.bool()[:, None, :].to(logits.dtype)
        refined = []
        for stage in self.stages:
            logits = stage(logits.softmax(dim=1), mask)
            refined.append(logits)
        return refined

    def smoothing_loss(self, logits: torch.Tensor,
                       frame_mask: torch.Tensor) -> torch.Tensor:
        """MS-TCN's truncated MSE over adjacent frames (Sec. 3.3).

        ``L_T-MSE = mean_{t, c} min(|log p_{t,c} - log p_{t-1,c}|, τ)^2``
        with ``p = softmax(logits)`` over the ``K + 1`` rows, ``log
        p_{t-1}`` detached (the loss pulls frame ``t`` towards its
        predecessor only), averaged over the classes and the adjacent pairs
        whose two frames are both real (labelled or not). Not weighted by
        ``λ``.

        Args:
            logits (Tensor): ``(N, K + 1, T)``.
            frame_mask (Tensor): ``(N, T)`` bool.

        Returns:
            Tensor: Scalar loss (zero with gradient without a real pair).
        """
        log_probs = logits.log_softmax(dim=1)
        change = log_probs[:, :, 1:] - log_probs[:, :, :-1].detach()
        squared = change.abs().clamp(max=self.smooth_clip).pow(2)
        mask = frame_mask.bool()
        pairs = (mask[:, 1:] & mask[:, :-1])[:, None, :].to(logits.dtype)
        num_terms = pairs.sum() * logits.shape[1]
        if num_terms <= 0:
            return logits.sum() * 0
        return (squared * pairs).sum() / num_terms

    def loss(self, stage_logits: Sequence[torch.Tensor],
             frame_labels: torch.Tensor, frame_mask: torch.Tensor,
             frame_loss: Callable) -> Dict[str, torch.Tensor]:
        """Every stage's cross-entropy and ``λ``-weighted smoothing loss.

        Args:
            stage_logits (Sequence[Tensor]): ``(N, K + 1, T)`` per stage:
                the head's, then :meth:`forward`'s.
            frame_labels (Tensor): ``(N, T)`` long, ``0 .. K`` or -1.
            frame_mask (Tensor): ``(N, T)`` bool.
            frame_loss (Callable): ``(logits, frame_labels, frame_mask) ->
                scalar``, the head's masked cross-entropy.

        Returns:
            dict[str, Tensor]: ``loss_frame`` and ``loss_smooth`` for the
            head (stage 0), ``loss_frame_stage{s}`` and
            ``loss_smooth_stage{s}`` for refinement stage ``s = 1 .. S``;
            MMEngine sums them.
        """
        losses = {}
        for index, logits in enumerate(stage_logits):
            suffix = f'_stage{index}' if index else ''
            losses[f'loss_frame{suffix}'] = frame_loss(logits, frame_labels,
                                                       frame_mask)
            losses[f'loss_smooth{suffix}'] = self.smooth_weight * \
                self.smoothing_loss(logits, frame_mask)
        return losses

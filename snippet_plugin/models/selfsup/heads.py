"""Projection heads: video-level (Eq. 1) and snippet-level (Eq. 3)."""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from mmaction.registry import MODELS
from .padding import check_step_mask, masked_mean


@MODELS.register_module()
class GlobalProjectionHead(BaseModule):
    """Global pooling over time, then a linear projection (Eq. 1).

    ``h (N, C_e, T) -> F_g (N, C_e) -> p (N, C)``, ``p`` L2-normalised.
    With a step mask ``(N, T)`` the pooling averages the real steps only
    (padding, :mod:`.padding`). With ``hidden_channels`` the projection is
    a MoCo-v2 style MLP Linear-ReLU-Linear.

    Args:
        in_channels (int): ``C_e``.
        out_channels (int): ``C``. Defaults to 128.
        hidden_channels (int, optional): Width of the MLP's hidden layer;
            None for a single linear layer (the paper's choice).
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 128,
                 hidden_channels: Optional[int] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.out_channels = out_channels
        if hidden_channels is None:
            self.projection = nn.Linear(in_channels, out_channels)
        else:
            self.projection = nn.Sequential(
                nn.Linear(in_channels, hidden_channels), nn.ReLU(),
                nn.Linear(hidden_channels, out_channels))

    def forward(self,
                features: torch.Tensor,
                step_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Args: features ``(N, C_e, T)``; step_mask ``(N, T)`` bool, True
        on steps with real frames (None: all). Returns: ``(N, C)`` unit
        rows."""
        return F.normalize(
            self.projection(masked_mean(features, step_mask)), dim=1)


@MODELS.register_module()
class DenseProjectionHead(BaseModule):
    """Adaptive local pooling into ``S`` snippets, then a 1x1 conv - ReLU -
    1x1 conv projection (Eq. 3).

    ``h (N, C_e, T) -> F_d (N, C_e, S) -> S (N, C, S)``, each snippet
    embedding L2-normalised over channels. :meth:`pool` alone gives the
    snippet features ``F_d`` that Eq. 4 matches across views.

    Padding (:mod:`.padding`): with a step mask ``(N, T)`` each snippet
    averages the real steps of its bin, and :meth:`snippet_mask` says which
    snippets hold any; the bins themselves stay those of the whole window,
    so a snippet keeps its duration whatever the padding.

    Snippet features, for ``S`` snippets of a ``T``-step feature (the
    paper's layout: a 300-frame input, stride 8, ``T = 38`` steps, ``S = 19``
    snippets of 2 steps = 16 frames, Tab. 8):

    * ``S <= T``: adaptive average pooling, each snippet the mean of its
      bin of steps (the paper's "adaptive local pooling");
    * ``S > T``: a snippet is shorter than one feature step, so it has no
      bin of its own; its feature is the linear interpolation of the steps
      at the snippet's centre, ``x_i = (i + 0.5) T / S - 0.5`` in step
      coordinates, clamped to ``[0, T - 1]`` (``F.interpolate``,
      ``mode='linear'``, ``align_corners=False``). Adaptive pooling would
      instead repeat steps into identical "snippets", which the matching
      (Eq. 4) cannot tell apart. This serves e.g. Tab. 8's ``N = 38``
      (8-frame snippets) on an input shorter than 300 frames (19 steps of
      150 frames).

    With a step mask, both are weighted by it (padded steps weigh 0), so
    an interpolated snippet next to padding takes its real neighbour only.

    Args:
        in_channels (int): ``C_e``.
        out_channels (int): ``C``. Defaults to 128.
        hidden_channels (int, optional): Width between the two convolutions;
            defaults to ``in_channels``.
        num_snippets (int): ``S`` (the paper's ``N``). Defaults to 19.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 128,
                 hidden_channels: Optional[int] = None,
                 num_snippets: int = 19,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_snippets < 1:
            raise ValueError(f'num_snippets must be positive, got '
                             f'{num_snippets}')
        hidden_channels = hidden_channels or in_channels
        self.out_channels = out_channels
        self.num_snippets = num_snippets
        self.projection = nn.Sequential(
            nn.Conv1d(in_channels, hidden_channels, 1), nn.ReLU(),
            nn.Conv1d(hidden_channels, out_channels, 1))

    def pool(self, features: torch.Tensor,
             step_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Snippet features ``F_d``.

        Args:
            features (Tensor): ``(N, C_e, T)``.
            step_mask (Tensor, optional): ``(N, T)`` bool, True on steps
                with real frames; None: all.

        Returns:
            Tensor: ``(N, C_e, S)``: the mean of each of ``S`` adaptive
            bins if ``S <= T``, else the features linearly interpolated at
            the ``S`` snippet centres (class docstring); over real steps
            only, 0 for a snippet of padding only.
        """
        if step_mask is None:
            return self._resample(features)
        check_step_mask(step_mask, features)
        weights = step_mask.to(features.dtype).unsqueeze(1)
        return self._resample(features * weights) / self._resample(
            weights).clamp_min(1e-12)

    def snippet_mask(self, step_mask: Optional[torch.Tensor]
                     ) -> Optional[torch.Tensor]:
        """Which snippets of :meth:`pool` take any real step.

        Args:
            step_mask (Tensor, optional): ``(N, T)`` bool.

        Returns:
            Tensor or None: ``(N, S)`` bool; None for None.
        """
        if step_mask is None:
            return None
        return self._resample(step_mask.to(torch.float32).unsqueeze(1)
                              ).squeeze(1) > 0

    def snippet_frames(self, frame_inds: torch.Tensor,
                       stride: int) -> torch.Tensor:
        """The original frames that each snippet of :meth:`pool` pools.

        Step ``t`` of a feature with temporal stride ``s`` covers input
        frames ``[t s, (t + 1) s)`` (:func:`.padding.feature_step_mask`);
        snippet ``i`` pools the steps to which :meth:`pool` gives a non-zero
        weight (its adaptive bin for ``S <= T_l``, the one or two steps
        around its centre for ``S > T_l``), found by pooling one-hot steps
        through the same resampling, so the spans cannot drift from the
        pooling. What Eq. 4's overlap matching
        (``SnippetMatcher(match='overlap')``) compares across views.

        Args:
            frame_inds (Tensor): long ``(N, T)``, the frame of the original
                sequence each input frame shows, -1 for padding (the
                samples' ``frame_inds``).
            stride (int): Temporal stride ``s`` of the pooled feature, which
                has ``T_l = ceil(T / s)`` steps.

        Returns:
            Tensor: long ``(N, S, T)``: ``frame_inds[n, t]`` where snippet
            ``i`` pools input frame ``t``, else -1.
        """
        num_frames = frame_inds.shape[1]
        one_hot_steps = torch.eye(math.ceil(num_frames / stride),
                                  device=frame_inds.device).unsqueeze(0)
        step_weights = self._resample(one_hot_steps)[0]  # (T_l, S)
        frame_steps = torch.arange(num_frames,
                                   device=frame_inds.device) // stride
        pooled = step_weights[frame_steps].t() > 0  # (S, T)
        return torch.where(pooled, frame_inds.unsqueeze(1),
                           torch.full_like(frame_inds, -1).unsqueeze(1))

    def _resample(self, steps: torch.Tensor) -> torch.Tensor:
        """:func:`resample_snippets` into this head's ``S`` snippets."""
        return resample_snippets(steps, self.num_snippets)

    def project(self, snippet_features: torch.Tensor) -> torch.Tensor:
        """Snippet embeddings from snippet features.

        Args:
            snippet_features (Tensor): ``(N, C_e, S)``.

        Returns:
            Tensor: ``(N, C, S)``, unit norm over ``C``.
        """
        return F.normalize(self.projection(snippet_features), dim=1)

    def forward(self,
                features: torch.Tensor,
                step_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``(N, C_e, T) -> (N, C, S)``: :meth:`project` of :meth:`pool`."""
        return self.project(self.pool(features, step_mask))


def resample_snippets(steps: torch.Tensor,
                      num_snippets: int) -> torch.Tensor:
    """``(N, C, T) -> (N, C, S)``: adaptive mean bins for ``S <= T``, linear
    interpolation at the snippet centres for ``S > T``
    (:class:`DenseProjectionHead`'s snippet features, without a mask)."""
    if steps.shape[2] < num_snippets:
        return F.interpolate(steps, size=num_snippets, mode='linear',
                             align_corners=False)
    return F.adaptive_avg_pool1d(steps, num_snippets)

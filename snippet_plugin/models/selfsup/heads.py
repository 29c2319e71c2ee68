"""Projection heads: video-level (Eq. 1) and snippet-level (Eq. 3)."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from mmaction.registry import MODELS


@MODELS.register_module()
class GlobalProjectionHead(BaseModule):
    """Global pooling over time, then a linear projection (Eq. 1).

    ``h (N, C_e, T) -> F_g (N, C_e) -> p (N, C)``, ``p`` L2-normalised.
    With ``hidden_channels`` the projection is a MoCo-v2 style MLP
    Linear-ReLU-Linear.

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

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Args: features ``(N, C_e, T)``. Returns: ``(N, C)`` unit rows."""
        return F.normalize(self.projection(features.mean(dim=2)), dim=1)


@MODELS.register_module()
class DenseProjectionHead(BaseModule):
    """Adaptive local pooling into ``S`` snippets, then a 1x1 conv - ReLU -
    1x1 conv projection (Eq. 3).

    ``h (N, C_e, T) -> F_d (N, C_e, S) -> S (N, C, S)``, each snippet
    embedding L2-normalised over channels. :meth:`pool` alone gives the
    snippet features ``F_d`` that Eq. 4 matches across views.

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

    def pool(self, features: torch.Tensor) -> torch.Tensor:
        """Snippet features ``F_d``.

        Args:
            features (Tensor): ``(N, C_e, T)``.

        Returns:
            Tensor: ``(N, C_e, S)``: the mean of each of ``S`` adaptive
            bins if ``S <= T``, else the features linearly interpolated at
            the ``S`` snippet centres (see the class docstring).
        """
        if features.shape[2] < self.num_snippets:
            return F.interpolate(features, size=self.num_snippets,
                                 mode='linear', align_corners=False)
        return F.adaptive_avg_pool1d(features, self.num_snippets)

    def project(self, snippet_features: torch.Tensor) -> torch.Tensor:
        """Snippet embeddings from snippet features.

        Args:
            snippet_features (Tensor): ``(N, C_e, S)``.

        Returns:
            Tensor: ``(N, C, S)``, unit norm over ``C``.
        """
        return F.normalize(self.projection(snippet_features), dim=1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``(N, C_e, T) -> (N, C, S)``: :meth:`project` of :meth:`pool`."""
        return self.project(self.pool(features))

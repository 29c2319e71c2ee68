"""Multiscale feature fusion for frame-wise localization (paper Sec. 3.2).

The backbone (:class:`~snippet_plugin.models.MultiScaleGCN`) yields levels
``Z_a^0`` of shape ``(N, C_a, T_a)``, finest first (``T_0 >= T_1 >= ...``),
each the downsampled successor of the previous one (Eq. 7). The necks here
turn them into one ``(N, C_out, T)`` map at the input's frame resolution.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from mmaction.registry import MODELS

UPSAMPLE_MODES = ('nearest', 'linear')


def _check_upsample(mode: str) -> str:
    if mode not in UPSAMPLE_MODES:
        raise ValueError(f'upsample must be one of {UPSAMPLE_MODES}, got '
                         f'{mode!r}')
    return mode


def resize_time(features: torch.Tensor, length: int,
                mode: str) -> torch.Tensor:
    """The operation ``U`` of Eq. 8: resample ``(N, C, T_in)`` to exactly
    ``(N, C, length)``; a no-op when the length already matches."""
    if features.shape[-1] == length:
        return features
    if mode == 'linear':
        return F.interpolate(features, size=length, mode='linear',
                             align_corners=False)
    return F.interpolate(features, size=length, mode='nearest')


def fusion_unit(in_channels: int, out_channels: int) -> nn.Sequential:
    """The projection ``H`` of Eq. 8: Conv1d (kernel 3, same length) + BN +
    ReLU, ``(N, in_channels, T) -> (N, out_channels, T)``."""
    return nn.Sequential(
        nn.Conv1d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm1d(out_channels), nn.ReLU(inplace=True))


def _select_levels(levels: Optional[Sequence[int]],
                   num_inputs: int) -> Tuple[int, ...]:
    """Validate the fused level indices (default: all, finest first)."""
    if levels is None:
        return tuple(range(num_inputs))
    selected = tuple(int(i) for i in levels)
    if (not selected or any(not 0 <= i < num_inputs for i in selected)
            or any(a >= b for a, b in zip(selected, selected[1:]))):
        raise ValueError(f'levels {list(levels)} must be a non-empty, '
                         f'strictly increasing subset of range({num_inputs})')
    return selected


def _check_inputs(inputs: Sequence[torch.Tensor],
                  in_channels: Sequence[int], owner: str) -> None:
    """Refuse inputs whose count, rank, channels or ordering do not match."""
    if len(inputs) != len(in_channels):
        raise ValueError(f'{owner} expects {len(in_channels)} levels, got '
                         f'{len(inputs)}')
    for index, (level, channels) in enumerate(zip(inputs, in_channels)):
        if level.dim() != 3 or level.shape[1] != channels:
            raise ValueError(
                f'{owner}: level {index} has shape {tuple(level.shape)}, '
                f'expected (N, {channels}, T_{index})')


@MODELS.register_module()
class UShapeNeck(BaseModule):
    """UNet++-style nested skip connections over the backbone levels (Eq. 8).

    Write the fused levels as ``Z_a^0`` (``a = 0 .. L-1``, finest first;
    Eq. 7 is the backbone producing them). For ``b = 1 .. L-1`` and
    ``a = 0 .. L-1-b`` the neck computes::

        Z_a^b = H_a^b(concat([Z_a^0, ..., Z_a^{b-1}, U(Z_{a+1}^{b-1})]))

    (Eq. 8) where ``U`` resamples to the exact length ``T_a`` of level ``a``
    (so odd lengths, e.g. 75 -> 150 -> 299, line up) and ``H_a^b`` is a
    :func:`fusion_unit` with ``hidden_channels`` outputs. That is
    ``L (L - 1) / 2`` units (3 for three levels, 6 for four). The top node
    ``Z_0^{L-1}`` goes through a 1x1 Conv1d to ``out_channels`` and, when its
    length differs from ``num_frames`` (the finest fused level is coarser than
    the input, e.g. ``levels=(1, 2, 3)``), is resampled to ``num_frames`` with
    the same mode. With a single fused level there is no ``H`` unit: the 1x1
    conv applies to ``Z_0^0`` directly.

    Input width of ``H_a^b``: ``C_a + (b - 1) d + C_{a+1}`` for ``b = 1``,
    ``C_a + b d`` for ``b > 1`` (``d = hidden_channels``).

    Args:
        in_channels (Sequence[int]): Channels ``C_l`` of every level the
            backbone returns (``MultiScaleGCN.out_channels``).
        hidden_channels (int): ``d``, the width of every ``Z_a^b`` with
            ``b > 0``. Defaults to 512 (the paper's choice).
        out_channels (int): Channels of the output. Defaults to 512.
        levels (Sequence[int], optional): Indices of the input levels to
            fuse, strictly increasing (finest first). Defaults to all.
        upsample (str): ``U``: ``'nearest'`` (the paper's code) or
            ``'linear'``. Defaults to ``'nearest'``.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 hidden_channels: int = 512,
                 out_channels: int = 512,
                 levels: Optional[Sequence[int]] = None,
                 upsample: str = 'nearest',
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = [int(c) for c in in_channels]
        self.levels = _select_levels(levels, len(self.in_channels))
        self.hidden_channels = hidden_channels
        self.out_channels = out_channels
        self.upsample = _check_upsample(upsample)
        fused = [self.in_channels[i] for i in self.levels]
        self.nodes = nn.ModuleList(
            nn.ModuleList(
                fusion_unit(self._node_in_channels(fused, a, b),
                            hidden_channels)
                for a in range(len(fused) - b))
            for b in range(1, len(fused)))
        top_channels = hidden_channels if len(fused) > 1 else fused[0]
        self.out_conv = nn.Conv1d(top_channels, out_channels, 1)

    def _node_in_channels(self, fused: List[int], a: int, b: int) -> int:
        """Width of the concatenation fed to ``H_a^b``."""
        upsampled = fused[a + 1] if b == 1 else self.hidden_channels
        return fused[a] + (b - 1) * self.hidden_channels + upsampled

    def unit(self, a: int, b: int) -> nn.Sequential:
        """The projection ``H_a^b`` of Eq. 8 (``b >= 1``)."""
        return self.nodes[b - 1][a]

    def forward(self, levels: Sequence[torch.Tensor],
                num_frames: int) -> torch.Tensor:
        """Fuse the levels and return frame-resolution features.

        Args:
            levels (Sequence[Tensor]): The backbone's levels, one
                ``(N, C_l, T_l)`` tensor per entry of ``in_channels``, with
                ``T_l`` non-increasing.
            num_frames (int): ``T``, the input's frame count.

        Returns:
            Tensor: ``(N, out_channels, num_frames)``.
        """
        _check_inputs(levels, self.in_channels, type(self).__name__)
        grid = [[levels[i]] for i in self.levels]
        for b in range(1, len(grid)):
            for a in range(len(grid) - b):
                coarser = resize_time(grid[a + 1][b - 1],
                                      grid[a][0].shape[-1], self.upsample)
                grid[a].append(
                    self.unit(a, b)(torch.cat(grid[a] + [coarser], dim=1)))
        return resize_time(self.out_conv(grid[0][-1]), num_frames,
                           self.upsample)


@MODELS.register_module()
class LastLevelUpsample(BaseModule):
    """No fusion: resample the last (coarsest) level back to ``T`` frames.

    ``(N, C_{L-1}, T_{L-1}) -> (N, C_{L-1}, T)``; parameter-free.

    Args:
        in_channels (Sequence[int]): Channels of every input level; the
            output has ``in_channels[-1]``.
        upsample (str): ``'nearest'`` or ``'linear'``. Defaults to
            ``'nearest'``.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 upsample: str = 'nearest',
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = [int(c) for c in in_channels]
        self.out_channels = self.in_channels[-1]
        self.upsample = _check_upsample(upsample)

    def forward(self, levels: Sequence[torch.Tensor],
                num_frames: int) -> torch.Tensor:
        """Args: levels ``(N, C_l, T_l)`` each; num_frames ``T``.
        Returns: ``(N, C_{L-1}, T)``."""
        _check_inputs(levels, self.in_channels, type(self).__name__)
        return resize_time(levels[-1], num_frames, self.upsample)

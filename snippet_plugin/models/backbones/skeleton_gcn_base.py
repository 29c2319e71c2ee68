"""What MMAction2's STGCN-style backbones share, for our own backbones.

``UNIK`` and ``HyperGCN`` take STGCN's constructor arguments so that a config
swaps backbones by changing ``type`` only. This module holds the parts that
do not depend on the spatial operator: the stage plan (channels, strides,
residuals), the input batch norm and the ``(N, M, T, V, C)`` forward.
"""
from typing import Dict, List, NamedTuple, Optional, Sequence, Union

import torch
from mmengine.model import BaseModule
from torch import nn

from mmaction.models.utils import Graph

#: Tolerance of the channel inflation rounding, as in MMAction2's STGCN.
INFLATE_EPS = 1e-4


class StageSpec(NamedTuple):
    """One stage of the plan: channels in and out, temporal stride, whether
    the block has a residual branch."""
    in_channels: int
    out_channels: int
    stride: int
    residual: bool


def stage_plan(in_channels: int, base_channels: int, ch_ratio: float,
               num_stages: int, inflate_stages: Sequence[int],
               down_stages: Sequence[int]) -> List[StageSpec]:
    """MMAction2 STGCN's stage layout.

    Stage 1 maps ``in_channels`` to ``base_channels`` without a residual
    (skipped when the two are equal); stage ``i`` (1-based, ``i >= 2``)
    multiplies the width by ``ch_ratio`` if ``i`` is in ``inflate_stages``
    and strides by 2 in time if ``i`` is in ``down_stages``.

    Returns:
        list[StageSpec]: ``num_stages`` entries, or ``num_stages - 1`` when
        ``in_channels == base_channels``.
    """
    plan = []
    if in_channels != base_channels:
        plan.append(StageSpec(in_channels, base_channels, 1, False))
    width, inflations = base_channels, 0
    for index in range(2, num_stages + 1):
        inflations += index in inflate_stages
        out_width = int(base_channels * ch_ratio**inflations + INFLATE_EPS)
        plan.append(StageSpec(width, out_width, 1 + (index in down_stages),
                              True))
        width = out_width
    return plan


class SkeletonGCNBase(BaseModule):
    """Input normalisation and forward of an STGCN-like backbone.

    Subclasses fill ``self.gcn`` (an ``nn.ModuleList`` of stages mapping
    ``(N*M, C, T, V)`` to ``(N*M, C', T', V)``), which is what
    :class:`MultiScaleGCN` reads.

    Args:
        graph_cfg (dict): MMAction2 ``Graph`` config. Kept as ``self.graph``
            (``graph.num_node`` is the joint count ``V``); subclasses decide
            whether the adjacency itself is used.
        in_channels (int): Input channels ``C`` (3 for xyz).
        data_bn_type (str): ``'VC'`` (per joint and channel), ``'MVC'``
            (also per person slot, needs ``num_person``) or anything else
            for no input batch norm.
        num_person (int): Person slots ``M``; used by ``'MVC'`` only.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 graph_cfg: Dict,
                 in_channels: int = 3,
                 data_bn_type: str = 'VC',
                 num_person: int = 2,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.graph = Graph(**graph_cfg)
        self.in_channels = in_channels
        self.data_bn_type = data_bn_type
        num_joints = self.graph.num_node
        if data_bn_type == 'MVC':
            self.data_bn = nn.BatchNorm1d(num_person * in_channels *
                                          num_joints)
        elif data_bn_type == 'VC':
            self.data_bn = nn.BatchNorm1d(in_channels * num_joints)
        else:
            self.data_bn = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise the input, fold persons into the batch, run the stages.

        Args:
            x (Tensor): Skeletons ``(N, M, T, V, C)``.

        Returns:
            Tensor: Last stage features ``(N, M, C', T', V)``.
        """
        num_samples, num_persons, frames, joints, channels = x.shape
        x = x.permute(0, 1, 3, 4, 2).contiguous()
        if self.data_bn_type == 'MVC':
            x = self.data_bn(x.view(num_samples, -1, frames))
        else:
            x = self.data_bn(x.view(num_samples * num_persons, -1, frames))
        x = x.view(num_samples, num_persons, joints, channels,
                   frames).permute(0, 1, 3, 4, 2).reshape(
                       num_samples * num_persons, channels, frames, joints)
        for stage in self.gcn:
            x = stage(x)
        return x.reshape((num_samples, num_persons) + x.shape[1:])


class TemporalResidual(nn.Module):
    """The block residual of STGCN: identity when shapes match, otherwise a
    strided 1x1 convolution with batch norm; ``(N, C, T, V)`` to
    ``(N, C', ceil(T / stride), V)``."""

    def __init__(self, in_channels: int, out_channels: int,
                 stride: int) -> None:
        super().__init__()
        if in_channels == out_channels and stride == 1:
            self.proj = nn.Identity()
        else:
            self.proj = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=(stride, 1)),
                nn.BatchNorm2d(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)

"""UNIK: skeleton GCN whose joint dependencies are learnt, not given.

Our reading of Yang et al., "UNIK: A Unified Framework for Real-world
Skeleton-based Action Recognition", BMVC 2021 (Sec. 3.1, "Spatial
Long-short Dependency Unit" S-LSU and "Temporal Long-short Dependency Unit"
T-LSU). Every block aggregates joints with ``H`` dependency matrices, each
the sum of a freely learnt matrix and a softmax attention computed from the
block's input, so no skeleton topology is needed: one model serves any
joint layout (the paper's "unified" claim).
"""
import math
from typing import Dict, List, Optional, Union

import torch
from torch import nn

from mmaction.registry import MODELS
from .skeleton_gcn_base import SkeletonGCNBase, TemporalResidual, stage_plan

#: Initial scale of the S-LSU's output batch norm (the public code's): each
#: block starts close to its residual path, and the joint mixing by ``W``
#: (random at init) grows in as it is learnt.
SPATIAL_BN_INIT = 1e-6


class DependencyAggregation(nn.Module):
    """S-LSU: multi-head spatial aggregation with learnt dependencies.

    For head ``h`` and input ``X`` ``(N, C, T, V)``:

    * attention ``S_h = softmax_v(theta_h(X)_u . phi_h(X)_v / (C_e T))``
      ``(N, V, V)``, the dot product running over the ``C_e`` embedding
      channels of the 1x1 convolutions ``theta_h``, ``phi_h`` and all ``T``
      frames; row ``u`` (target joint) sums to 1 over source joints ``v``;
    * dependency ``D_h = W_h + S_h`` with ``W_h`` a free ``(V, V)``
      parameter (the paper's learnable dependency matrix, not constrained
      to a graph);
    * output ``Y = ReLU(BN(sum_h conv_h(X D_h^T)) + down(X))``, where
      ``(X D_h^T)_u = sum_v D_h[u, v] X_v`` and ``conv_h`` is a 1x1
      convolution per head (computed as one convolution over the heads'
      concatenated aggregates).

    Args:
        in_channels (int): Input channels ``C``.
        out_channels (int): Output channels ``C'``.
        num_joints (int): Joints ``V``.
        num_heads (int): Dependency matrices ``H``. Defaults to 3 (the public
            code's value).
        embed_ratio (int): ``C_e = out_channels // embed_ratio`` (at least
            1). Defaults to 4.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 num_joints: int,
                 num_heads: int = 3,
                 embed_ratio: int = 4) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.embed_channels = max(1, out_channels // embed_ratio)
        self.dependency_weight = nn.Parameter(
            torch.empty(num_heads, num_joints, num_joints))
        nn.init.kaiming_uniform_(self.dependency_weight, a=math.sqrt(5))
        self.theta = nn.Conv2d(in_channels, num_heads * self.embed_channels,
                               1)
        self.phi = nn.Conv2d(in_channels, num_heads * self.embed_channels, 1)
        self.project = nn.Conv2d(num_heads * in_channels, out_channels, 1)
        self.bn = nn.BatchNorm2d(out_channels)
        nn.init.constant_(self.bn.weight, SPATIAL_BN_INIT)
        self.down = TemporalResidual(in_channels, out_channels, 1)
        self.relu = nn.ReLU()

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        """Softmax attention ``S`` ``(N, H, V, V)``, rows (targets) summing
        to 1 over sources, from input ``x`` ``(N, C, T, V)``."""
        num_samples, _, frames, joints = x.shape
        shape = (num_samples, self.num_heads, self.embed_channels, frames,
                 joints)
        theta = self.theta(x).view(shape)
        phi = self.phi(x).view(shape)
        logits = torch.einsum('nhctu,nhctv->nhuv', theta, phi)
        return (logits / (self.embed_channels * frames)).softmax(dim=-1)

    def dependency(self, x: torch.Tensor) -> torch.Tensor:
        """Dependency matrices ``D = W + S`` ``(N, H, V, V)`` (target,
        source)."""
        return self.dependency_weight + self.attention(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, T, V)`` -> ``(N, C', T, V)``."""
        num_samples, channels, frames, joints = x.shape
        aggregated = torch.einsum('nctv,nhuv->nhctu', x, self.dependency(x))
        aggregated = aggregated.reshape(num_samples,
                                        self.num_heads * channels, frames,
                                        joints)
        return self.relu(self.bn(self.project(aggregated)) + self.down(x))


class TemporalUnit(nn.Module):
    """T-LSU: temporal convolution (kernel 9) + batch norm, ``(N, C, T, V)``
    -> ``(N, C, ceil(T / stride), V)``."""

    def __init__(self, channels: int, stride: int = 1,
                 kernel_size: int = 9) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, (kernel_size, 1),
                              stride=(stride, 1),
                              padding=((kernel_size - 1) // 2, 0))
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


class UNIKBlock(nn.Module):
    """One UNIK block: ``ReLU(T-LSU(S-LSU(x)) + residual(x))``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        num_joints (int): Joints ``V``.
        stride (int): Temporal stride of the T-LSU (and of the residual).
        residual (bool): Whether the block has a residual branch.
        num_heads (int): Dependency matrices per block.
        embed_ratio (int): Attention embedding reduction.
        temporal_kernel (int): T-LSU kernel size.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 num_joints: int,
                 stride: int = 1,
                 residual: bool = True,
                 num_heads: int = 3,
                 embed_ratio: int = 4,
                 temporal_kernel: int = 9) -> None:
        super().__init__()
        self.spatial = DependencyAggregation(in_channels, out_channels,
                                             num_joints, num_heads,
                                             embed_ratio)
        self.temporal = TemporalUnit(out_channels, stride, temporal_kernel)
        self.residual = (TemporalResidual(in_channels, out_channels, stride)
                         if residual else None)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, T, V)`` -> ``(N, C', ceil(T / stride), V)``."""
        y = self.temporal(self.spatial(x))
        if self.residual is not None:
            y = y + self.residual(x)
        return self.relu(y)


@MODELS.register_module()
class UNIK(SkeletonGCNBase):
    """UNIK backbone with MMAction2 STGCN's constructor and output.

    Ten blocks by default, widths ``base``, ``2 base`` (from stage 5),
    ``4 base`` (from stage 8), temporal stride 2 at stages 5 and 8: the
    published network (64/128/256 channels) when ``base_channels=64``.
    Stages are in ``self.gcn`` for :class:`MultiScaleGCN`.

    ``graph_cfg`` only supplies the joint count ``V`` (``graph.num_node``);
    its adjacency is ignored, since UNIK learns its dependencies.

    Simplifications (the public code's options we leave out): temporal
    windows ``tau > 1`` in the S-LSU (the paper's best models use
    ``tau = 1``), dilated T-LSUs, and most of its custom initialisation
    (PyTorch defaults here, except ``W`` (Kaiming-uniform) and the S-LSU's
    output batch-norm scale (``SPATIAL_BN_INIT``), as in the code).

    Args:
        graph_cfg (dict): MMAction2 ``Graph`` config, for ``V`` only.
        in_channels (int): Input channels. Defaults to 3.
        base_channels (int): Width of the first stages. Defaults to 64.
        data_bn_type (str): ``'VC'``, ``'MVC'`` or none. Defaults to ``'VC'``.
        ch_ratio (int): Width multiplier at inflate stages. Defaults to 2.
        num_person (int): Person slots (for ``'MVC'``). Defaults to 2.
        num_stages (int): Blocks. Defaults to 10.
        inflate_stages (list[int]): 1-based stages that inflate the width.
            Defaults to ``[5, 8]``.
        down_stages (list[int]): 1-based stages with temporal stride 2.
            Defaults to ``[5, 8]``.
        init_cfg (dict or list[dict], optional): Initialisation config.
        **kwargs: Block options passed to every :class:`UNIKBlock`
            (``num_heads``, ``embed_ratio``, ``temporal_kernel``).

    Shapes:
        ``(N, M, T, V, C)`` -> ``(N, M, C', T', V)`` with
        ``T' = ceil(T / 2^d)``, ``d`` the number of down stages.
    """

    def __init__(self,
                 graph_cfg: Dict,
                 in_channels: int = 3,
                 base_channels: int = 64,
                 data_bn_type: str = 'VC',
                 ch_ratio: int = 2,
                 num_person: int = 2,
                 num_stages: int = 10,
                 inflate_stages: List[int] = (5, 8),
                 down_stages: List[int] = (5, 8),
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None,
                 **kwargs) -> None:
        super().__init__(graph_cfg, in_channels, data_bn_type, num_person,
                         init_cfg)
        self.base_channels = base_channels
        num_joints = self.graph.num_node
        self.gcn = nn.ModuleList(
            UNIKBlock(spec.in_channels, spec.out_channels, num_joints,
                      spec.stride, spec.residual, **kwargs)
            for spec in stage_plan(in_channels, base_channels, ch_ratio,
                                   num_stages, inflate_stages, down_stages))
        self.num_stages = len(self.gcn)

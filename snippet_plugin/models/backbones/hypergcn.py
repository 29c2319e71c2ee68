"""Hyper-GCN: adaptive hyper-graph convolution with virtual hyper-joints.

Our compact reading of Zhou et al., "Adaptive Hyper-Graph Convolution
Network for Skeleton-based Human Action Recognition with Virtual
Connections", ICCV 2025 (arXiv 2411.14796), checked against the facts of the
authors' public code (github.com/6UOOON9/Hyper-GCN). The parts:

* **Virtual hyper-joints** (virtual connections): ``J`` learnable vertices
  per block, appended to the ``V`` joints at every frame. The skeleton
  graph connects each of them to every joint, and they take part in the
  hyper-graph, so they carry body-wide (global) context into every joint's
  aggregation. Only the real joints leave a block.
* **Adaptive, non-uniform hyper-graph** per head: vertices are embedded
  from their time-averaged features; hyperedge ``e`` (one per vertex) is
  joined by each vertex ``v`` that has ``e`` among its ``k`` nearest
  embeddings, with incidence ``H[v, e] = softmax(-dist)`` over those ``k``
  (so hyperedge sizes differ). Hyperedge weights ``w`` come from a small
  network with a ``tanh`` output.
* **Hyper-graph convolution** (HGNN form, random-walk normalised):
  ``G = D_v^{-1} H W D_e^{-1} H^T`` with ``d(e) = sum_v H[v, e]`` and
  ``d(v) = sum_e H[v, e] |w_e|`` (absolute values, since ``tanh`` weights
  may be negative, as the public code's L1 norms do). Each head
  aggregates with ``A_k + relu(alpha) G_k``, ``A_k`` the row-normalised
  skeleton-with-virtual-connections graph scaled by learnable edge
  importances.
* **Multi-scale TCN**: parallel branches (kernel-5 convolutions with
  dilations 1 and 2, a max-pool branch, a 1x1 branch), concatenated.

Simplifications, all deliberate: widths and stage layout follow MMAction2's
STGCN (so configs swap ``type`` only), not the paper's 9 blocks of 128-512
channels and its in-between skip connections; the input embedding
(1x1 projection + positional embedding + tanh) is part of stage 1; the
divergence loss on the virtual joints (a classification-training
regulariser) is not included; the public code multiplies by ``W`` twice in
its normalisation (``D_v^{-1} H W W D_e^{-1} H^T``), we apply it once as in
the HGNN formula above; temporal convolutions pad with zeros, not by
replication. Equation numbers are not cited because the paper text was not
available offline; the formulas above are what this module computes.
"""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from mmaction.registry import MODELS
from .skeleton_gcn_base import SkeletonGCNBase, TemporalResidual, stage_plan

#: Keeps degree normalisations finite for empty hyperedges or zero weights.
DEGREE_EPS = 1e-6
#: Initial scale of the graph unit's output batch norm (the public code's):
#: each block starts close to its residual path.
SPATIAL_BN_INIT = 1e-6


def knn_incidence(embeddings: torch.Tensor, k: int) -> torch.Tensor:
    """Soft k-nearest-neighbour incidence matrix.

    Args:
        embeddings (Tensor): Vertex embeddings ``(..., U, D)``.
        k (int): Hyperedges each vertex joins (itself included, since its
            own distance is 0).

    Returns:
        Tensor: ``H`` ``(..., U, U)`` (vertex, hyperedge): row ``v`` holds
        ``softmax(-dist)`` over its ``k`` nearest vertices' hyperedges and 0
        elsewhere, so each row sums to 1.
    """
    distances = torch.cdist(embeddings, embeddings)
    nearest, indices = distances.topk(k, dim=-1, largest=False)
    return torch.zeros_like(distances).scatter(-1, indices,
                                               (-nearest).softmax(dim=-1))


def normalized_hypergraph(incidence: torch.Tensor,
                          edge_weights: torch.Tensor) -> torch.Tensor:
    """Vertex-to-vertex operator ``G = D_v^{-1} H W D_e^{-1} H^T``.

    Args:
        incidence (Tensor): ``H`` ``(..., U, E)``, non-negative.
        edge_weights (Tensor): ``w`` ``(..., E)``.

    Returns:
        Tensor: ``G`` ``(..., U, U)``, ``G[u, v] = sum_e H[u, e] w_e
        H[v, e] / (d(u) d(e))`` with ``d(e) = sum_v H[v, e]`` and
        ``d(u) = sum_e H[u, e] |w_e|``.
    """
    edge_degree = incidence.sum(dim=-2) + DEGREE_EPS
    vertex_degree = (incidence * edge_weights.abs().unsqueeze(-2)).sum(
        dim=-1) + DEGREE_EPS
    left = incidence * (edge_weights / edge_degree).unsqueeze(-2)
    return left @ incidence.transpose(-1, -2) / vertex_degree.unsqueeze(-1)


def virtual_skeleton_graph(adjacency: torch.Tensor,
                           num_virtual: int) -> torch.Tensor:
    """Skeleton adjacency ``(V, V)`` extended by virtual connections:
    ``(V + J, V + J)`` where each virtual joint is linked to every real
    joint and to itself."""
    num_joints = adjacency.shape[0]
    size = num_joints + num_virtual
    graph = torch.zeros(size, size)
    graph[:num_joints, :num_joints] = adjacency
    graph[num_joints:, :num_joints] = 1
    graph[:num_joints, num_joints:] = 1
    graph[num_joints:, num_joints:] = torch.eye(num_virtual)
    return graph


class HyperGraphConv(nn.Module):
    """Multi-head adaptive hyper-graph convolution with virtual joints.

    Input ``X`` ``(N, C, T, V)``; ``U = V + J`` vertices after appending the
    virtual joints; ``K`` heads, each owning ``C / K`` input and ``C' / K``
    output channels (grouped 1x1 convolution ``conv``). The batch norm's
    scale starts at ``SPATIAL_BN_INIT``, as in the public code.

    ``Y_k = (A_k + relu(alpha) G_k) conv_k(X)`` over vertices, then
    ``ReLU(BN(Y[real joints]) + down(X))`` ``(N, C', T, V)``.

    Args:
        in_channels (int): ``C`` (divisible by ``num_heads``).
        out_channels (int): ``C'`` (divisible by ``num_heads``).
        skeleton (Tensor): Binary skeleton adjacency ``(V, V)`` with
            self-loops.
        num_virtual_joints (int): ``J``. Defaults to 3.
        num_heads (int): ``K``. Defaults to 8.
        num_neighbors (int): ``k`` of the k-NN incidence (capped at ``U``).
            Defaults to 9.
        embed_ratio (int): Embedding width per head
            ``max(1, C / K / embed_ratio)``. Defaults to 4.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 skeleton: torch.Tensor,
                 num_virtual_joints: int = 3,
                 num_heads: int = 8,
                 num_neighbors: int = 9,
                 embed_ratio: int = 4) -> None:
        super().__init__()
        if in_channels % num_heads or out_channels % num_heads:
            raise ValueError(
                f'HyperGraphConv: {in_channels} -> {out_channels} channels '
                f'do not split into {num_heads} heads')
        self.num_joints = skeleton.shape[0]
        self.num_heads = num_heads
        num_vertices = self.num_joints + num_virtual_joints
        self.num_neighbors = min(num_neighbors, num_vertices)
        embed = max(1, in_channels // num_heads // embed_ratio)
        self.embed_channels = embed
        self.virtual_joints = nn.Parameter(
            torch.randn(in_channels, num_virtual_joints) * 0.02)
        self.register_buffer(
            'graph', virtual_skeleton_graph(skeleton, num_virtual_joints))
        self.edge_importance = nn.Parameter(
            torch.ones(num_heads, num_vertices, num_vertices))
        self.alpha = nn.Parameter(torch.ones(1))
        self.to_embedding = nn.Conv1d(in_channels, num_heads * embed, 1,
                                      groups=num_heads)
        self.to_edge_weight = nn.Sequential(
            nn.Conv1d(in_channels, num_heads * embed, 1, groups=num_heads),
            nn.LeakyReLU(), nn.Conv1d(num_heads * embed, num_heads, 1),
            nn.Tanh())
        self.conv = nn.Conv2d(in_channels, out_channels, 1, groups=num_heads)
        self.bn = nn.BatchNorm2d(out_channels)
        nn.init.constant_(self.bn.weight, SPATIAL_BN_INIT)
        self.down = TemporalResidual(in_channels, out_channels, 1)
        self.relu = nn.ReLU()

    def with_virtual_joints(self, x: torch.Tensor) -> torch.Tensor:
        """Append the virtual joints at every frame: ``(N, C, T, V)`` ->
        ``(N, C, T, U)``."""
        virtual = self.virtual_joints[None, :, None].expand(
            x.shape[0], -1, x.shape[2], -1)
        return torch.cat([x, virtual], dim=-1)

    def skeleton_operator(self) -> torch.Tensor:
        """Row-normalised skeleton graph with importances ``(K, U, U)``."""
        weighted = self.graph * self.edge_importance
        return weighted / (weighted.abs().sum(-1, keepdim=True) + DEGREE_EPS)

    def hypergraph_operator(self, vertices: torch.Tensor) -> torch.Tensor:
        """``G`` ``(N, K, U, U)`` from vertex features ``(N, C, T, U)``."""
        pooled = vertices.mean(dim=2)
        num_samples, _, num_vertices = pooled.shape
        embeddings = self.to_embedding(pooled).view(
            num_samples, self.num_heads, self.embed_channels,
            num_vertices).transpose(-1, -2)
        incidence = knn_incidence(embeddings, self.num_neighbors)
        return normalized_hypergraph(incidence, self.to_edge_weight(pooled))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, T, V)`` -> ``(N, C', T, V)`` (real joints only)."""
        vertices = self.with_virtual_joints(x)
        operator = self.skeleton_operator() + F.relu(
            self.alpha) * self.hypergraph_operator(vertices)
        features = self.conv(vertices)
        num_samples, channels, frames, num_vertices = features.shape
        features = features.view(num_samples, self.num_heads, -1, frames,
                                 num_vertices)
        aggregated = torch.einsum('nkuv,nkctv->nkctu', operator, features)
        aggregated = aggregated.reshape(num_samples, channels, frames,
                                        num_vertices)[..., :self.num_joints]
        return self.relu(self.bn(aggregated) + self.down(x))


class MultiScaleTCN(nn.Module):
    """Parallel temporal branches, concatenated: ``(N, C, T, V)`` ->
    ``(N, C, ceil(T / stride), V)``.

    One branch per dilation (1x1 conv - BN - ReLU - temporal conv of
    ``kernel_size`` with that dilation and the stride - BN), a max-pool
    branch (1x1 conv - BN - ReLU - max-pool 3 with the stride - BN) and a
    strided 1x1 branch (conv - BN). The first branch takes any channels that
    do not divide evenly.
    """

    def __init__(self,
                 channels: int,
                 stride: int = 1,
                 kernel_size: int = 5,
                 dilations: Sequence[int] = (1, 2)) -> None:
        super().__init__()
        num_branches = len(dilations) + 2
        widths = [channels // num_branches] * num_branches
        widths[0] += channels - sum(widths)
        branches = [
            nn.Sequential(
                *self._squeeze(channels, width),
                nn.Conv2d(width, width, (kernel_size, 1),
                          stride=(stride, 1),
                          padding=(dilation * (kernel_size - 1) // 2, 0),
                          dilation=(dilation, 1)), nn.BatchNorm2d(width))
            for width, dilation in zip(widths, dilations)
        ]
        pool_width, point_width = widths[-2:]
        branches.append(
            nn.Sequential(
                *self._squeeze(channels, pool_width),
                nn.MaxPool2d((3, 1), stride=(stride, 1), padding=(1, 0)),
                nn.BatchNorm2d(pool_width)))
        branches.append(
            nn.Sequential(
                nn.Conv2d(channels, point_width, 1, stride=(stride, 1)),
                nn.BatchNorm2d(point_width)))
        self.branches = nn.ModuleList(branches)

    @staticmethod
    def _squeeze(channels: int, width: int) -> List[nn.Module]:
        return [nn.Conv2d(channels, width, 1), nn.BatchNorm2d(width),
                nn.ReLU()]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class HyperGCNBlock(nn.Module):
    """``ReLU(MS-TCN(HyperGraphConv(x)) + residual(x))``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        skeleton (Tensor): Skeleton adjacency ``(V, V)``.
        stride (int): Temporal stride. Defaults to 1.
        residual (bool): Whether the block has a residual. Defaults to True.
        tcn_kernel_size (int): MS-TCN kernel. Defaults to 5.
        tcn_dilations (Sequence[int]): MS-TCN dilations. Defaults to (1, 2).
        **gcn_kwargs: :class:`HyperGraphConv` options.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 skeleton: torch.Tensor,
                 stride: int = 1,
                 residual: bool = True,
                 tcn_kernel_size: int = 5,
                 tcn_dilations: Sequence[int] = (1, 2),
                 **gcn_kwargs) -> None:
        super().__init__()
        self.gcn = HyperGraphConv(in_channels, out_channels, skeleton,
                                  **gcn_kwargs)
        self.tcn = MultiScaleTCN(out_channels, stride, tcn_kernel_size,
                                 tcn_dilations)
        self.residual = (TemporalResidual(in_channels, out_channels, stride)
                         if residual else None)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, T, V)`` -> ``(N, C', ceil(T / stride), V)``."""
        y = self.tcn(self.gcn(x))
        if self.residual is not None:
            y = y + self.residual(x)
        return self.relu(y)


class JointEmbeddingStem(nn.Module):
    """Stage 1: embed coordinates, then the first hyper-graph block.

    ``tanh(conv1x1(x) + P)`` with a learnable positional embedding ``P``
    ``(C', 1, V)`` (the public code's joint embedding; it also makes the
    otherwise joint-order-agnostic hyper-graph know which joint is which),
    then a :class:`HyperGCNBlock` ``C' -> C'`` without residual.
    ``(N, C, T, V)`` -> ``(N, C', T, V)``.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 skeleton: torch.Tensor, **block_kwargs) -> None:
        super().__init__()
        self.embed = nn.Conv2d(in_channels, out_channels, 1)
        self.position = nn.Parameter(
            torch.randn(out_channels, 1, skeleton.shape[0]))
        self.block = HyperGCNBlock(out_channels, out_channels, skeleton,
                                   residual=False, **block_kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(torch.tanh(self.embed(x) + self.position))


@MODELS.register_module()
class HyperGCN(SkeletonGCNBase):
    """Hyper-GCN backbone with MMAction2 STGCN's constructor and output.

    Widths ``base``, ``2 base`` (from stage 5), ``4 base`` (from stage 8),
    temporal stride 2 at ``down_stages``; stages in ``self.gcn`` for
    :class:`MultiScaleGCN`. ``graph_cfg`` gives the skeleton: its adjacency
    (all subsets merged, self-loops kept) plus the virtual connections is the
    fixed graph ``A`` of every block. Virtual joints never leave a block.

    Args:
        graph_cfg (dict): MMAction2 ``Graph`` config.
        in_channels (int): Input channels. Defaults to 3.
        base_channels (int): Width of the first stages (divisible by
            ``num_heads``). Defaults to 64.
        data_bn_type (str): ``'VC'``, ``'MVC'`` or none. Defaults to ``'VC'``.
        ch_ratio (int): Width multiplier at inflate stages. Defaults to 2.
        num_person (int): Person slots (for ``'MVC'``). Defaults to 2.
        num_stages (int): Blocks. Defaults to 10.
        inflate_stages (list[int]): 1-based stages that inflate the width.
            Defaults to ``[5, 8]``.
        down_stages (list[int]): 1-based stages with temporal stride 2.
            Defaults to ``[5, 8]``.
        init_cfg (dict or list[dict], optional): Initialisation config.
        **kwargs: Block options for every block: ``num_virtual_joints``
            (3), ``num_heads`` (8), ``num_neighbors`` (9), ``embed_ratio``
            (4), ``tcn_kernel_size`` (5), ``tcn_dilations`` ((1, 2)).

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
        skeleton = (torch.as_tensor(self.graph.A).sum(0) > 0).float()
        stages = []
        for spec in stage_plan(in_channels, base_channels, ch_ratio,
                               num_stages, inflate_stages, down_stages):
            if spec.residual:
                stages.append(
                    HyperGCNBlock(spec.in_channels, spec.out_channels,
                                  skeleton, spec.stride, **kwargs))
            else:
                stages.append(
                    JointEmbeddingStem(spec.in_channels, spec.out_channels,
                                       skeleton, **kwargs))
        self.gcn = nn.ModuleList(stages)
        self.num_stages = len(self.gcn)

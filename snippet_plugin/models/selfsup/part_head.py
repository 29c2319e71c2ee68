"""Body-part relation head: the fine-grained skeleton encoding of RVTCLR's
distribution-consistency branch."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from mmaction.registry import MODELS
from .padding import masked_mean

#: NTU-25 body parts (0-based joints): torso with head, left arm with hand
#: tip and thumb, right arm with hand tip and thumb, left leg, right leg.
NTU25_BODY_PARTS = (
    (0, 1, 2, 3, 20),
    (4, 5, 6, 7, 21, 22),
    (8, 9, 10, 11, 23, 24),
    (12, 13, 14, 15),
    (16, 17, 18, 19),
)


def part_pooling_matrix(parts: Sequence[Sequence[int]],
                        num_joints: int) -> torch.Tensor:
    """``(V, P)`` matrix whose column ``p`` averages the joints of part
    ``p``: entry ``[v, p] = 1 / |part p|`` if joint ``v`` is in it, else 0.
    """
    matrix = torch.zeros(num_joints, len(parts))
    for index, joints in enumerate(parts):
        if not joints or min(joints) < 0 or max(joints) >= num_joints:
            raise ValueError(f'part {index} {list(joints)} must name joints '
                             f'in [0, {num_joints})')
        matrix[list(joints), index] = 1.0 / len(joints)
    return matrix


@MODELS.register_module()
class BodyPartRelationHead(BaseModule):
    """Pool joints into body parts, relate the parts over time, project.

    Our reading of RVTCLR's Fine-grained Skeleton Encoding Module (the paper
    names it; its public code defines it), applied to the last backbone
    stage before joints are averaged away:

    1. parts: ``x (N*M, C, T, V) -> (N*M, C, T, P)``, the mean of each
       part's joints (:data:`NTU25_BODY_PARTS`, ``P = 5``);
    2. intra-part: a 1x1 conv bottleneck ``C -> C/2 -> C`` with ReLU, no
       bias, applied to every part and frame;
    3. inter-part: a non-local temporal relation. From the part-averaged
       features ``x̄ (N*M, C, T)``, ``A = softmax_s(θ(x̄)_t · φ(x̄)_s)``
       ``(N*M, T, T)``; each part's ``g(x_p)`` (``C/2`` channels) is
       aggregated over frames with ``A``, mapped back to ``C`` by a 1x1 conv
       and a BatchNorm initialised to zero, and added to the input (so the
       block starts as the identity);
    4. mean over frames, parts and persons ``(N, C)``, then an MLP
       Linear-ReLU-Linear to ``C_out``, L2-normalised.

    With a step mask ``(N, T)`` (padding, :mod:`.padding`) the relation of
    step 3 attends to real frames only and step 4 averages real frames only.

    Args:
        in_channels (int): ``C`` of the last backbone stage.
        out_channels (int): Embedding size; must equal the model's
            ``feat_dim``. Defaults to 128.
        hidden_channels (int, optional): Width of the MLP's hidden layer;
            defaults to ``in_channels``.
        num_joints (int): ``V``. Defaults to 25.
        parts (Sequence[Sequence[int]]): Joint indices of each part.
            Defaults to :data:`NTU25_BODY_PARTS`.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 128,
                 hidden_channels: Optional[int] = None,
                 num_joints: int = 25,
                 parts: Sequence[Sequence[int]] = NTU25_BODY_PARTS,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if in_channels < 2:
            raise ValueError(f'in_channels must be >= 2, got {in_channels}')
        self.out_channels = out_channels
        self.register_buffer('pooling',
                             part_pooling_matrix(parts, num_joints),
                             persistent=False)
        inner = in_channels // 2
        self.intra_part = nn.Sequential(
            nn.Conv2d(in_channels, inner, 1, bias=False), nn.ReLU(),
            nn.Conv2d(inner, in_channels, 1, bias=False))
        self.theta = nn.Conv1d(in_channels, inner, 1)
        self.phi = nn.Conv1d(in_channels, inner, 1)
        self.g = nn.Conv2d(in_channels, inner, 1)
        self.inter_part_out = nn.Sequential(
            nn.Conv2d(inner, in_channels, 1), nn.BatchNorm2d(in_channels))
        nn.init.zeros_(self.inter_part_out[1].weight)
        nn.init.zeros_(self.inter_part_out[1].bias)
        hidden_channels = hidden_channels or in_channels
        self.projection = nn.Sequential(
            nn.Linear(in_channels, hidden_channels), nn.ReLU(),
            nn.Linear(hidden_channels, out_channels))

    def inter_part(self,
                   parts: torch.Tensor,
                   step_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Non-local temporal relation of step 3.

        Args:
            parts (Tensor): ``(B, C, T, P)``.
            step_mask (Tensor, optional): ``(B, T)`` bool, the frames ``s``
                that may be attended to; None: all.

        Returns:
            Tensor: ``(B, C, T, P)``.
        """
        mean_part = parts.mean(dim=3)
        similarity = torch.einsum('bct,bcs->bts', self.theta(mean_part),
                                  self.phi(mean_part))
        if step_mask is not None:
            similarity = similarity.masked_fill(~step_mask.unsqueeze(1),
                                                float('-inf'))
        affinity = similarity.softmax(dim=2)
        related = torch.einsum('bts,bcsp->bctp', affinity, self.g(parts))
        return parts + self.inter_part_out(related)

    def forward(self,
                joint_features: torch.Tensor,
                step_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Args: joint_features ``(N, M, C, T, V)``; step_mask ``(N, T)``
        bool, the real frames (None: all). Returns: ``(N, C_out)`` unit
        rows."""
        num_samples, num_persons = joint_features.shape[:2]
        x = joint_features.flatten(0, 1)
        person_steps = None if step_mask is None else \
            step_mask.repeat_interleave(num_persons, dim=0)
        parts = torch.einsum('bctv,vp->bctp', x, self.pooling)
        parts = self.inter_part(self.intra_part(parts), person_steps)
        per_person = parts.mean(dim=(2, 3)) if person_steps is None else \
            masked_mean(parts.mean(dim=3), person_steps)
        pooled = per_person.reshape(num_samples, num_persons, -1).mean(dim=1)
        return F.normalize(self.projection(pooled), dim=1)

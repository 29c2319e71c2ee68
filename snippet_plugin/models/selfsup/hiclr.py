"""HiCLR: hierarchical consistent contrastive learning with growing
augmentations (Zhang et al., AAAI 2023), on top of :class:`SkeletonMoCo`."""
from typing import Dict, List, Optional, Sequence

import torch
from torch import nn

from mmaction.registry import MODELS
from .losses import contrastive_logits, hierarchical_matching_loss
from .skeleton_moco import SkeletonMoCo


@MODELS.register_module()
class HiCLR(SkeletonMoCo):
    """MoCo with four views of growing strength and an asymmetric
    hierarchical loss that pulls stronger views towards weaker ones.

    Views (``inputs[:, i]``, each ``(N, M, T, V, C)``), made by
    ``ContrastiveViews(pipelines=[...])``, each pipeline the previous one's
    plus stronger transforms:

    * view 0 ``x_0``: normal augmentation (temporal crop + shear), the query;
    * view 1 ``x'``: normal augmentation, the key (key encoder, no grad);
    * view 2 ``x_1``: normal + strong (flip, rotation, jitter, blur, axis
      mask);
    * view 3 ``x_2``: like view 2, then joint-masked here (:meth:`mask_joints`).

    One training step (:meth:`loss`):

    1. query encoder on views 0, 2, 3 (three passes, so BN normalises each
       view with its own batch statistics): ``z_0, z_1, z_2`` ``(N, C)``;
       view 0 also gives ``h̄`` ``(N, C_e, T_l)`` for the dense branch;
    2. one EMA step of the key encoder, then key ``k = Ê(x')`` ``(N, C)``
       and ``ĥ`` from view 1;
    3. ``L_global = InfoNCE(z_0, k, queue)`` (Eq. 2 of the paper this
       plug-in implements; HiCLR's InfoNCE); while ``mine_neighbours`` is
       on (``NeighbourMiningHook``; the public code mines from epoch 150,
       top-1), the ``neighbour_topk`` queue entries nearest to ``z_0``, to
       ``z_1`` and to ``z_2`` (OR-ed) join ``k`` as positives, as in the
       public code (:meth:`SkeletonMoCo._global_loss`); the hierarchical
       logits of step 4 do not change with mining;
    4. similarity logits ``s_i = [z_i.k, z_i.queueᵀ] / τ`` ``(N, 1 + M)``
       for ``i = 0, 1, 2``;
       ``L_hierarchical = w_0 D(sg[softmax s_0] || softmax s_1)
       + w_1 D(sg[softmax s_1] || softmax s_2)``
       (:func:`~.losses.hierarchical_matching_loss`): view 2 learns from the
       detached view 0, view 3 from the detached view 2, never the reverse;
    5. with ``dense_head``: the snippet branch of :class:`SkeletonMoCo`
       unchanged, on ``h̄`` (view 0, query encoder) and ``ĥ`` (view 1, key
       encoder): the dense positive comes from the normal key view 1, like
       the global one;
    6. enqueue ``k`` (the normal key view) into the global queue.

    Facts from the paper and its public code (JHang2020/HiCLR):

    * the code's loss is ``InfoNCE + (D_01 + D_12) / 2``: default weights
      ``(0.5, 0.5)``; it measures ``D`` by the cross-entropy against the
      detached weaker distribution. ``divergence='kl'`` (default) subtracts
      that target's entropy: the same gradient, and a matched pair reads 0.
      ``'ce'`` logs the code's values;
    * masking replaces raw input coordinates of joints (not an embedding)
      by a learnable token, 10 % of the joints per frame, a fresh random set
      per frame, the same joints for every person of the frame. The code's
      token is one scalar for all coordinates, initialised to 0, and its
      mask is shared by the whole batch; here the token is a ``(C,)``
      vector (one value per coordinate), initialised to 0, and each sample
      draws its own joints. Padded frames (``frame_mask`` False) stay zero.

    Padding: the samples' ``frame_mask`` ``(4, T)`` gives each view's real
    steps (:meth:`SkeletonMoCo.view_step_masks`); pooling and the snippet
    branch use real steps only.

    Args:
        mask_ratio (float): Share of the ``V`` joints masked per frame of
            view 3; ``round(mask_ratio * V)`` joints (2 of 25 for 0.1, as the
            code's ``int(2.5)``). Defaults to 0.1.
        in_channels (int): Coordinates per joint ``C``, the size of the mask
            token. Defaults to 3.
        hierarchical_weights (sequence of float): ``(w_0, w_1)``. Defaults
            to ``(0.5, 0.5)``.
        divergence (str): ``'kl'`` or ``'ce'`` (public code's values); same
            gradient. Defaults to ``'kl'``.
        **kwargs: :class:`SkeletonMoCo` arguments (``backbone``,
            ``global_head``, ``dense_head``, queue, temperature, momentum, λ,
            ``neighbour_topk``).

    Attributes:
        mask_token (nn.Parameter): ``(C,)``, trained by the hierarchical
            loss through view 3.
    """

    NUM_VIEWS = 4

    def __init__(self,
                 *,
                 mask_ratio: float = 0.1,
                 in_channels: int = 3,
                 hierarchical_weights: Sequence[float] = (0.5, 0.5),
                 divergence: str = 'kl',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0 <= mask_ratio <= 1:
            raise ValueError(f'mask_ratio must be in [0, 1], got {mask_ratio}')
        if len(hierarchical_weights) != self.NUM_VIEWS - 2:
            raise ValueError('hierarchical_weights needs one weight per '
                             'adjacent pair of the three query views, got '
                             f'{hierarchical_weights}')
        if divergence not in ('kl', 'ce'):
            raise ValueError(f"divergence must be 'kl' or 'ce', got "
                             f'{divergence!r}')
        self.mask_ratio = mask_ratio
        self.hierarchical_weights = list(hierarchical_weights)
        self.divergence = divergence
        self.mask_token = nn.Parameter(torch.zeros(in_channels))

    def mask_joints(self,
                    views: torch.Tensor,
                    frame_mask: Optional[torch.Tensor] = None
                    ) -> torch.Tensor:
        """Replace ``round(mask_ratio * V)`` random joints of every real
        frame of every sample by :attr:`mask_token`.

        The joints are drawn independently per sample and frame (torch's
        global generator, also for padded frames, so the draws do not depend
        on the padding) and are the same for every person of a frame.

        Args:
            views (Tensor): ``(N, M, T, V, C)``.
            frame_mask (Tensor, optional): ``(N, T)`` bool, the real frames;
                padded frames are left as they are. None: all real.

        Returns:
            Tensor: ``(N, M, T, V, C)``, differentiable in ``mask_token``.
        """
        num, _, frames, joints, _ = views.shape
        num_masked = round(self.mask_ratio * joints)
        order = torch.rand(num, frames, joints, device=views.device).argsort(
            dim=2)
        masked = torch.zeros(num, frames, joints, dtype=torch.bool,
                             device=views.device)
        masked.scatter_(2, order[:, :, :num_masked], True)
        if frame_mask is not None:
            masked &= frame_mask.to(masked.device).unsqueeze(2)
        return torch.where(masked[:, None, :, :, None],
                           self.mask_token.to(views.dtype), views)

    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """InfoNCE, hierarchical matching and (optionally) dense losses.

        Args:
            inputs (Tensor): ``(N, 4, M, T, V, C)``, views as in the class
                docstring.
            data_samples (list, optional): Their ``frame_mask`` ``(4, T)``
                marks padding.

        Returns:
            dict[str, Tensor]: ``loss_global``, ``loss_hierarchical``
            (already weighted), with the dense branch ``loss_dense``
            (times λ); detached accuracies in percent (share of queries
            whose positive key has the highest logit): ``acc_global``
            (view 0), ``acc_strong`` (view 2), ``acc_masked`` (view 3),
            and ``acc_dense``.
        """
        if inputs.dim() != 6 or inputs.shape[1] != self.NUM_VIEWS:
            raise ValueError('HiCLR.loss expects (N, 4, M, T, V, C) views '
                             '(query, key, strong, strong + joint mask), got '
                             f'shape {tuple(inputs.shape)}')
        frame_masks = self.view_frame_masks(inputs, data_samples)
        query_steps, key_steps, strong_steps, masked_steps = (
            self.frame_step_mask(mask) for mask in frame_masks)
        query_feats, query = self.encode_query(inputs[:, 0], query_steps)
        _, strong = self.encode_query(inputs[:, 2], strong_steps)
        _, masked = self.encode_query(
            self.mask_joints(inputs[:, 3], frame_masks[3]), masked_steps)
        self.momentum_update()
        key_feats, key = self.encode_key(inputs[:, 1], key_steps)
        negatives = self.global_queue.negatives()
        loss_global, acc_global = self._global_loss(
            query, key, (strong, masked), negatives)
        logits = [
            contrastive_logits(embedding, key, negatives, self.temperature)
            for embedding in (query, strong, masked)
        ]
        losses = dict(
            loss_global=loss_global,
            loss_hierarchical=hierarchical_matching_loss(
                logits, self.hierarchical_weights, self.divergence),
            acc_global=acc_global,
            acc_strong=_top1_accuracy(logits[1]),
            acc_masked=_top1_accuracy(logits[2]))
        query_frames, key_frames = self.view_frame_inds(inputs,
                                                        data_samples)[:2]
        self._add_dense_losses(losses, query_feats, key_feats, query_steps,
                               key_steps, query_frames, key_frames)
        self.global_queue.enqueue(key)
        return losses


def _top1_accuracy(logits: torch.Tensor) -> torch.Tensor:
    """Detached percentage of rows of ``(B, 1 + K)`` logits whose column 0
    (the positive) is the largest, as :func:`info_nce` counts it."""
    return (logits.detach().argmax(dim=1) == 0).float().mean() * 100

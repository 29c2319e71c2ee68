"""RVTCLR: relative visual tempo contrastive learning (Zhu et al., ICCV
2023), the paper's main baseline, with the optional snippet branch."""
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn

from mmaction.registry import MODELS
from .losses import (contrastive_logits, distribution_matching_loss,
                     margin_ranking)
from .skeleton_moco import SkeletonMoCo

#: View order of the inputs ``(N, 4, M, T, V, C)`` (``RelativeTempoViews``).
QUERY, KEY_SAME_TEMPO, KEY_OTHER_TEMPO, PART = range(4)
DENSE_POSITIVES = ('same_tempo', 'other_tempo')


@MODELS.register_module()
class RVTCLR(SkeletonMoCo):
    """MoCo with relative-tempo, appearance and part-distribution objectives.

    Inputs per sample are the four views of
    :class:`~snippet_plugin.datasets.transforms.RelativeTempoViews`, each
    ``T`` frames of a ``2T``-frame window: 0 the query ``x̄`` and 1 the key
    ``x̂`` at the sample's tempo (normal speed: ``T`` consecutive frames, or
    2x: every 2nd frame), 2 the key view at the other tempo ``x̂'``, 3 the
    part view ``x̃`` at the sample's tempo. One step, with ``τ`` the
    temperature and ``Q`` the global queue:

    1. query encoder: ``h̄ = E(x̄)``; appearance ``p̄ = G(h̄)`` (global head),
       motion ``m̄ = G_m(h̄)`` (``motion_head``);
    2. EMA step, then the key encoder gives ``p̂, m̂`` from ``x̂`` and
       ``p̂', m̂'`` from ``x̂'`` (no gradient);
    3. appearance consistency: ``loss_global = InfoNCE(p̄, p̂, Q)`` and
       ``loss_cross_tempo = InfoNCE(p̄, p̂', Q)``: the other-tempo key is a
       second positive, as both show the same instance;
    4. relative visual tempo: ``loss_tempo_rank = mean max(0, -(m̄·m̂ -
       m̄·m̂')/τ + margin)``: the motion embedding must be more similar to
       the same-tempo key than to the other-tempo key, by ``margin`` in
       logit units (the public code ranks the ``/τ`` logits with
       ``MarginRankingLoss(margin=1)``; margin 1 is a cosine gap of ``τ``);
    5. distribution consistency: the query encoder's backbone on ``x̃``,
       its last stage kept per joint, through ``part_head``
       (:class:`BodyPartRelationHead`) gives ``p̃``; ``loss_part`` is the
       cross-entropy of ``softmax([p̃·p̂, p̃·Qᵀ]/τ)`` against the detached
       ``softmax([p̄·p̂, p̄·Qᵀ]/τ)`` (both over the same-tempo key and the
       queue);
    6. enqueue the OTHER-tempo key ``p̂'`` into the global queue (the
       method's choice: the queue then holds keys of both tempos).

    All four terms have weight 1, as in the public code. While
    ``mine_neighbours`` is on (``NeighbourMiningHook``; the public code
    mines from epoch 150), both appearance terms also take as positives the
    ``neighbour_topk`` queue entries nearest to ``p̄`` and to ``p̃``
    (:meth:`SkeletonMoCo._global_loss`), as the public code does.

    Snippet branch (``dense_head``): ``_dense_loss(h̄, ĥ)`` with ``ĥ`` the
    key encoding of ``dense_positive``'s view: ``'same_tempo'`` (default,
    ``x̂``, same frames at the same speed) or ``'other_tempo'`` (``x̂'``, the
    public code's pairing); that key's pooled snippet embeddings go to the
    dense queue (Eq. 5). Why same-tempo: ``docs/design.md``.

    Padding: the samples' ``frame_mask`` ``(4, T)`` holds each view's real
    frames after its tempo resampling (``RelativeTempoViews`` moves the mask
    with the frames), so every view gets its own step mask
    (:meth:`SkeletonMoCo.view_step_masks`): the appearance, motion and part
    poolings and the snippet branch use real steps only.

    Args:
        motion_head (dict): :class:`GlobalProjectionHead` config of the
            motion (tempo) embedding; an encoder head, so part of the key
            encoder's EMA.
        part_head (dict): :class:`BodyPartRelationHead` config; query side
            only (no momentum copy). ``out_channels`` must be ``feat_dim``.
        margin (float): Ranking margin in logit units. Defaults to 1.0.
        dense_positive (str): ``'same_tempo'`` or ``'other_tempo'``.
        **kwargs: The other :class:`SkeletonMoCo` arguments.

    Attributes:
        part_head (BodyPartRelationHead): the part branch.
    """

    def __init__(self,
                 motion_head: Dict,
                 part_head: Dict,
                 margin: float = 1.0,
                 dense_positive: str = 'same_tempo',
                 **kwargs) -> None:
        if dense_positive not in DENSE_POSITIVES:
            raise ValueError(f'dense_positive must be one of '
                             f'{DENSE_POSITIVES}, got {dense_positive!r}')
        super().__init__(encoder_heads=dict(motion_head=motion_head), **kwargs)
        self.part_head = MODELS.build(part_head)
        if self.key_bn == 'sync':
            self.part_head = nn.SyncBatchNorm.convert_sync_batchnorm(
                self.part_head)
        feat_dim = self.global_queue.dim
        if self.part_head.out_channels != feat_dim:
            raise ValueError(f'part_head projects to '
                             f'{self.part_head.out_channels} channels but '
                             f'feat_dim (the queue) is {feat_dim}')
        self.margin = margin
        self.dense_positive = dense_positive

    def encode_motion_key(self,
                          views: torch.Tensor,
                          step_mask: Optional[torch.Tensor] = None
                          ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Key encoder with both heads, without gradient.

        Args:
            views (Tensor): ``(N, M, T, V, C)``.
            step_mask (Tensor, optional): ``(N, T_l)`` bool, real steps.

        Returns:
            tuple[Tensor, Tensor, Tensor]: ``ĥ`` ``(N, C_e, T_l)``, the
            appearance key ``p̂`` and the motion key ``m̂``, each ``(N, C)``.
        """
        feats, key = self.encode_key(views, step_mask)
        with torch.no_grad():
            motion = self.encoder_k.module['motion_head'](feats, step_mask)
        return feats, key, motion

    def encode_parts(self,
                     views: torch.Tensor,
                     step_mask: Optional[torch.Tensor] = None
                     ) -> torch.Tensor:
        """Part embedding ``p̃`` of the part view (query encoder).

        The last level returned by the backbone is captured per joint
        ``(N*M, C_e, T_l, V)`` with a forward hook for this call only.

        Args:
            views (Tensor): ``(N, M, T, V, C)``.
            step_mask (Tensor, optional): ``(N, T_l)`` bool, real steps.

        Returns:
            Tensor: ``(N, C)``, L2-normalised.
        """
        backbone = self.encoder_q['backbone']
        stage = backbone.stages[backbone.out_indices[-1]]
        captured = []
        handle = stage.register_forward_hook(
            lambda module, args, output: captured.append(output))
        try:
            backbone(views)
        finally:
            handle.remove()
        joints = captured[0]
        return self.part_head(
            joints.reshape(views.shape[0], views.shape[1], *joints.shape[1:]),
            step_mask)

    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """RVTCLR losses of one batch of tempo views (steps 1-6 above).

        Args:
            inputs (Tensor): ``(N, 4, M, T, V, C)`` in the order query,
                same-tempo key, other-tempo key, part view.
            data_samples (list, optional): Their ``frame_mask`` ``(4, T)``
                marks each view's padding.

        Returns:
            dict[str, Tensor]: ``loss_global``, ``loss_cross_tempo``,
            ``loss_tempo_rank``, ``loss_part`` and, with the dense branch,
            ``loss_dense`` (already times ``loss_dense_weight``); detached
            percentages ``acc_global``, ``acc_cross_tempo`` (top-1 of the
            positive), ``acc_tempo_rank`` (share of samples whose motion
            embedding is closer to the same-tempo key) and ``acc_dense``.
        """
        if inputs.dim() != 6 or inputs.shape[1] != 4:
            raise ValueError('RVTCLR.loss expects (N, 4, M, T, V, C) tempo '
                             'views (RelativeTempoViews), got shape '
                             f'{tuple(inputs.shape)}')
        steps = self.view_step_masks(inputs, data_samples)
        query_feats, query = self.encode_query(inputs[:, QUERY], steps[QUERY])
        query_motion = self.encoder_q['motion_head'](query_feats,
                                                     steps[QUERY])
        part = self.encode_parts(inputs[:, PART], steps[PART])
        self.momentum_update()
        key_feats, key, key_motion = self.encode_motion_key(
            inputs[:, KEY_SAME_TEMPO], steps[KEY_SAME_TEMPO])
        other_feats, other_key, other_motion = self.encode_motion_key(
            inputs[:, KEY_OTHER_TEMPO], steps[KEY_OTHER_TEMPO])
        negatives = self.global_queue.negatives()
        loss_global, acc_global = self._global_loss(query, key, (part, ),
                                                    negatives)
        loss_cross_tempo, acc_cross_tempo = self._global_loss(
            query, other_key, (part, ), negatives)
        same_tempo = (query_motion * key_motion).sum(1) / self.temperature
        other_tempo = (query_motion * other_motion).sum(1) / self.temperature
        loss_part = distribution_matching_loss(
            contrastive_logits(part, key, negatives, self.temperature),
            contrastive_logits(query, key, negatives, self.temperature),
            'ce')
        losses = dict(
            loss_global=loss_global,
            loss_cross_tempo=loss_cross_tempo,
            loss_tempo_rank=margin_ranking(same_tempo, other_tempo,
                                           self.margin),
            loss_part=loss_part,
            acc_global=acc_global,
            acc_cross_tempo=acc_cross_tempo,
            acc_tempo_rank=(same_tempo > other_tempo).detach().float().mean()
            * 100)
        dense_key = (KEY_SAME_TEMPO if self.dense_positive == 'same_tempo'
                     else KEY_OTHER_TEMPO)
        frames = self.view_frame_inds(inputs, data_samples)
        self._add_dense_losses(
            losses, query_feats,
            key_feats if dense_key == KEY_SAME_TEMPO else other_feats,
            steps[QUERY], steps[dense_key], frames[QUERY], frames[dense_key])
        self.global_queue.enqueue(other_key)
        return losses

"""AimCLR (Guo et al., AAAI 2022): contrastive learning from extremely
augmented skeleton sequences, on top of :class:`SkeletonMoCo` (so the
snippet branch of the paper works unchanged)."""
from typing import Dict, List, Optional

import torch

from mmaction.registry import MODELS
from .losses import contrastive_logits, d3m_loss
from .padding import masked_mean
from .skeleton_moco import SkeletonMoCo


def energy_importance(features: torch.Tensor,
                      e_lambda: float = 1e-4,
                      step_mask: Optional[torch.Tensor] = None
                      ) -> torch.Tensor:
    """SimAM importance ``1 / e*`` of every position of a feature map.

    With ``mu``, ``var`` the mean and unbiased variance of channel ``c`` of
    sample ``n`` over all positions, the minimal energy of position ``i`` is
    ``e*_i = 4 (var + l) / ((x_i - mu)^2 + 2 var + 2 l)``, so::

        1 / e*_i = (x_i - mu)^2 / (4 (var + l)) + 1/2

    Lower energy = more distinct from the rest of its channel = more
    important. (AimCLR's code passes this through a sigmoid, which keeps the
    order.)

    With ``step_mask`` the statistics are those of the real steps only
    (padding, :mod:`.padding`); padded positions still get a value.

    Args:
        features (Tensor): ``(N, C, *positions)``, e.g. ``(N, C, T)``.
        e_lambda (float): ``l``, the energy's regulariser.
        step_mask (Tensor, optional): ``(N, T)`` bool for ``(N, C, T)``
            features; None: every position is real.

    Returns:
        Tensor: ``1 / e*``, same shape.
    """
    flat = features.flatten(2)
    if step_mask is None:
        num_positions = max(flat.shape[2] - 1, 1)
        squared = (flat - flat.mean(dim=2, keepdim=True)).pow(2)
        variance = squared.sum(dim=2, keepdim=True) / num_positions
    else:
        squared = (flat - masked_mean(flat, step_mask).unsqueeze(2)).pow(2)
        num_real = step_mask.sum(dim=1).view(-1, 1, 1)
        variance = masked_mean(squared, step_mask).unsqueeze(2) * (
            num_real / (num_real - 1).clamp_min(1))
    return (squared / (4 * (variance + e_lambda)) + 0.5).view_as(features)


def energy_attention_drop(features: torch.Tensor,
                          keep_ratio: float = 0.7,
                          e_lambda: float = 1e-4,
                          step_mask: Optional[torch.Tensor] = None
                          ) -> torch.Tensor:
    """AimCLR's Energy-based Attention-guided Drop (EADM) at a fixed ratio.

    Per sample, the ``C * P`` positions (channels x positions) are ranked by
    :func:`energy_importance`; the ``C * P - round(keep_ratio * C * P)`` most
    important ones (lowest energy) are zeroed, and the rest are scaled by
    ``C * P / kept`` (inverted dropout, so the mean magnitude is kept). The
    mask is a constant: gradients flow through the kept positions only.

    AimCLR's code (``net/att_drop.py``) drops, on the ``(N*M, C, T, V)`` map,
    whole joints whose mean ``sigmoid(1 / e*)`` is ``>= keep_prob`` (0.7)
    and then every (channel, joint, frame) whose value is, i.e. a threshold
    whose dropped share depends on the data; here ``keep_ratio`` is the kept
    share itself.

    Padding (``step_mask``): only the ``C * T_n`` positions of the ``T_n``
    real steps of sample ``n`` are ranked and counted, with
    ``round(keep_ratio * C * T_n)`` kept; padded positions are neither
    dropped nor scaled.

    Args:
        features (Tensor): ``(N, C, *positions)``.
        keep_ratio (float): Share of positions kept, in ``(0, 1]``.
        e_lambda (float): See :func:`energy_importance`.
        step_mask (Tensor, optional): ``(N, T)`` bool for ``(N, C, T)``
            features; None: every position is real.

    Returns:
        Tensor: Same shape as ``features``.
    """
    num_samples = features.shape[0]
    importance = energy_importance(features.detach(), e_lambda,
                                   step_mask).reshape(num_samples, -1)
    if step_mask is None:
        total = importance.shape[1]
        num_kept = max(1, round(keep_ratio * total))
        dropped = importance.topk(total - num_kept, dim=1).indices
        mask = torch.ones_like(importance).scatter_(1, dropped, 0.)
        return features * (mask * (total / num_kept)).view_as(features)
    real = step_mask.unsqueeze(1).expand(features.shape).reshape(
        num_samples, -1)
    total = real.sum(dim=1, keepdim=True)
    num_kept = torch.round(keep_ratio * total).clamp_min(1)
    ranks = importance.masked_fill(~real, float('-inf')).argsort(
        dim=1, descending=True).argsort(dim=1)
    scale = torch.where(ranks < total - num_kept, 0., total / num_kept)
    return features * torch.where(real, scale, 1.).view_as(features)


@MODELS.register_module()
class AimCLR(SkeletonMoCo):
    """AimCLR: MoCo with an extremely augmented third view, its
    attention-dropped twin, the D3M loss and nearest-neighbour mining.

    One training step (:meth:`loss`) on views ``(N, 3, M, T, V, C)``: view 0
    the query ``x`` (normal augmentation), view 1 the key (normal), view 2
    the extreme view (normal + extreme augmentations, ``AugmentView``):

    1. query encoder: ``h̄, q`` from view 0; ``h_e, q_e`` from view 2 (its
       own forward pass, so its BN batch statistics are its own, as in
       AimCLR); ``q_ed = G(EADM(h_e))`` with :func:`energy_attention_drop`
       on a copy of the extreme view's last backbone level;
    2. EMA step, then the key encoder gives ``ĥ, k`` from view 1;
    3. ``loss_global = InfoNCE(q, k, queue)``; with ``mine_neighbours`` on
       (``NeighbourMiningHook``) the queue entries nearest to ``q``, ``q_e``
       and ``q_ed`` (top ``neighbour_topk`` each) are extra positives;
    4. ``loss_d3m = w * D3M`` (:func:`~.losses.d3m_loss`): the similarity
       distributions of ``q_e`` and ``q_ed`` over ``[k, queue]`` pulled
       towards the detached one of ``q``;
    5. snippet branch (with ``dense_head``): :meth:`_dense_loss` of the
       query's ``h̄`` (view 0) and the key's ``ĥ`` (view 1), exactly as in
       :class:`SkeletonMoCo` (the dense positives come from the
       normal-augmentation key; the extreme view has no snippet term);
    6. enqueue ``k`` (and the dense keys).

    Where the drop acts: :class:`MultiScaleGCN` returns features already
    averaged over joints and persons, ``(N, C, T_l)``, so the drop works on
    (channel, frame) positions of that map. AimCLR's spatial (whole-joint)
    drop needs the joint axis and is not done; its temporal drop on
    (channel, joint, frame) becomes one on (channel, frame).

    Args:
        attention_keep_ratio (float): EADM's kept share. Defaults to 0.7.
        energy_lambda (float): SimAM's ``lambda``. Defaults to 1e-4.
        loss_d3m_weight (float): ``w``; AimCLR's total is
            ``InfoNCE + D3M``. Defaults to 1.0.
        **kwargs: :class:`SkeletonMoCo`'s arguments (``neighbour_topk``
            AimCLR: 1).
    """

    def __init__(self,
                 attention_keep_ratio: float = 0.7,
                 energy_lambda: float = 1e-4,
                 loss_d3m_weight: float = 1.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0 < attention_keep_ratio <= 1:
            raise ValueError('attention_keep_ratio must be in (0, 1], got '
                             f'{attention_keep_ratio}')
        self.attention_keep_ratio = attention_keep_ratio
        self.energy_lambda = energy_lambda
        self.loss_d3m_weight = loss_d3m_weight

    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """AimCLR losses of one batch of view triplets.

        Args:
            inputs (Tensor): ``(N, 3, M, T, V, C)``: query, key, extreme.
            data_samples (list, optional): Their ``frame_mask`` ``(3, T)``
                marks padding (:meth:`view_step_masks`): pooling, the drop
                and the snippet branch use real steps only.

        Returns:
            dict[str, Tensor]: ``loss_global``, ``loss_d3m`` (weighted) and,
            with the snippet branch, ``loss_dense`` (weighted by λ);
            detached accuracies ``acc_global`` (``acc_dense``) in percent.
        """
        if inputs.dim() != 6 or inputs.shape[1] != 3:
            raise ValueError('AimCLR.loss expects (N, 3, M, T, V, C) view '
                             f'triplets, got shape {tuple(inputs.shape)}')
        query_steps, key_steps, extreme_steps = self.view_step_masks(
            inputs, data_samples)
        query_frames, key_frames, _ = self.view_frame_inds(inputs,
                                                           data_samples)
        query_feats, query = self.encode_query(inputs[:, 0], query_steps)
        extreme_feats, extreme = self.encode_query(inputs[:, 2],
                                                   extreme_steps)
        dropped = self.encoder_q['global_head'](
            energy_attention_drop(extreme_feats, self.attention_keep_ratio,
                                  self.energy_lambda, extreme_steps),
            extreme_steps)
        self.momentum_update()
        key_feats, key = self.encode_key(inputs[:, 1], key_steps)
        negatives = self.global_queue.negatives()
        loss_global, acc_global = self._global_loss(
            query, key, (extreme, dropped), negatives)
        normal_logits, extreme_logits, dropped_logits = (
            contrastive_logits(view, key, negatives, self.temperature)
            for view in (query, extreme, dropped))
        loss_d3m = d3m_loss(normal_logits, extreme_logits, dropped_logits)
        losses = dict(
            loss_global=loss_global,
            loss_d3m=self.loss_d3m_weight * loss_d3m,
            acc_global=acc_global)
        self._add_dense_losses(losses, query_feats, key_feats, query_steps,
                               key_steps, query_frames, key_frames)
        self.global_queue.enqueue(key)
        return losses

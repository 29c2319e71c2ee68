"""InfoNCE with a positive per query and shared negatives (Eq. 2, Eq. 5)."""
from typing import Tuple

import torch
import torch.nn.functional as F


def info_nce(query: torch.Tensor, positive: torch.Tensor,
             negatives: torch.Tensor,
             temperature: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Mean InfoNCE over a batch of queries.

    ``loss_b = -log(exp(q_b.k+_b / t) / (exp(q_b.k+_b / t)
    + sum_n exp(q_b.neg_n / t)))``, i.e. cross-entropy over the logits
    ``[q.k+, q.negᵀ] / t`` with target 0, averaged over ``b``.

    Args:
        query (Tensor): ``(B, C)``, L2-normalised.
        positive (Tensor): ``(B, C)``, L2-normalised, row ``b`` is the
            positive of query ``b``.
        negatives (Tensor): ``(K, C)``, L2-normalised, shared by all queries.
        temperature (float): ``t``.

    Returns:
        tuple[Tensor, Tensor]: The scalar loss, and the detached top-1
        accuracy in percent (share of queries whose positive has the highest
        logit; a tie with a negative counts as a hit).
    """
    positive_logits = (query * positive).sum(dim=1, keepdim=True)
    negative_logits = query @ negatives.t()
    logits = torch.cat([positive_logits, negative_logits], dim=1) / temperature
    target = torch.zeros(logits.shape[0], dtype=torch.long,
                         device=logits.device)
    loss = F.cross_entropy(logits, target)
    accuracy = (logits.detach().argmax(dim=1) == 0).float().mean() * 100
    return loss, accuracy


def contrastive_logits(query: torch.Tensor, positive: torch.Tensor,
                       negatives: torch.Tensor,
                       temperature: float) -> torch.Tensor:
    """The logits of :func:`info_nce`: ``[q.k+, q.negᵀ] / t``.

    Args:
        query (Tensor): ``(B, C)``, L2-normalised.
        positive (Tensor): ``(B, C)``, L2-normalised.
        negatives (Tensor): ``(K, C)``, L2-normalised.
        temperature (float): ``t``.

    Returns:
        Tensor: ``(B, 1 + K)``, column 0 the positive.
    """
    positive_logits = (query * positive).sum(dim=1, keepdim=True)
    return torch.cat([positive_logits, query @ negatives.t()],
                     dim=1) / temperature


def nearest_neighbour_mask(queries, negatives: torch.Tensor,
                           topk: int = 1) -> torch.Tensor:
    """Queue entries mined as extra positives (AimCLR's NNM).

    For each query tensor ``q`` of ``queries`` the ``topk`` negatives most
    similar to ``q_b`` (largest ``q_b.neg_n``) are marked; the masks of all
    query tensors are OR-ed (AimCLR mines with the normal, extreme and
    dropped extreme queries together).

    Args:
        queries (Sequence[Tensor]): Tensors ``(B, C)``, L2-normalised.
        negatives (Tensor): ``(K, C)``, L2-normalised.
        topk (int): Neighbours per query tensor, ``1 <= topk <= K``.

    Returns:
        Tensor: bool ``(B, K)``.
    """
    mask = torch.zeros(queries[0].shape[0], negatives.shape[0],
                       dtype=torch.bool, device=negatives.device)
    for query in queries:
        nearest = (query.detach() @ negatives.t()).topk(topk, dim=1).indices
        mask.scatter_(1, nearest, True)
    return mask


def multi_positive_info_nce(
        logits: torch.Tensor,
        positive_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """InfoNCE with several positives per query (AimCLR's NNM loss).

    ``loss_b = -(1 / |P_b|) sum_{j in P_b} log softmax(logits_b)_j``,
    averaged over ``b``; ``P_b`` the positive columns of row ``b``. With
    only column 0 positive this equals :func:`info_nce`.

    Args:
        logits (Tensor): ``(B, 1 + K)`` from :func:`contrastive_logits`.
        positive_mask (Tensor): bool ``(B, 1 + K)``, at least one True per
            row.

    Returns:
        tuple[Tensor, Tensor]: The scalar loss, and the detached top-1
        accuracy in percent of column 0 as in :func:`info_nce` (share of
        rows whose column-0 logit is the highest). Counting any positive on
        top would be meaningless with mined neighbours: a query's nearest
        queue entry is its highest negative logit, so such an accuracy is
        always 100 %.
    """
    weights = positive_mask.to(logits.dtype)
    log_probs = F.log_softmax(logits, dim=1)
    loss = (-(log_probs * weights).sum(dim=1) / weights.sum(dim=1)).mean()
    accuracy = (logits.detach().argmax(dim=1) == 0).float().mean() * 100
    return loss, accuracy


def distribution_matching_loss(logits: torch.Tensor,
                               target_logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of one similarity distribution against a detached one.

    ``-(1 / B) sum_b sum_j p_bj log q_bj`` with ``p = softmax(target_logits)``
    (detached: no gradient reaches the target) and ``q = softmax(logits)``.

    Args:
        logits (Tensor): ``(B, 1 + K)``, the view being pulled.
        target_logits (Tensor): ``(B, 1 + K)``, the supervising view.

    Returns:
        Tensor: scalar.
    """
    target = F.softmax(target_logits.detach(), dim=1)
    return -(target * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


def d3m_loss(normal_logits: torch.Tensor, extreme_logits: torch.Tensor,
             dropped_logits: torch.Tensor) -> torch.Tensor:
    """AimCLR's Dual Distributional Divergence Minimization loss.

    All logits are ``[z.k, z.queueᵀ] / t`` ``(B, 1 + K)`` over the same key
    ``k`` (normal view, key encoder) and queue, for ``z`` the normal query
    ``q``, the extreme query ``q_e`` and the dropped extreme query ``q_ed``.
    With ``p(z) = softmax`` of those logits::

        L_D3M = 1/2 [ -1/B sum_b sum_j p(q)_bj log p(q_e)_bj
                      -1/B sum_b sum_j p(q)_bj log p(q_ed)_bj ]

    ``p(q)`` detached (:func:`distribution_matching_loss`). The 1/2 is
    AimCLR's code (``loss = InfoNCE + (L_e + L_ed) / 2``).

    Args:
        normal_logits (Tensor): ``(B, 1 + K)`` of ``q``.
        extreme_logits (Tensor): ``(B, 1 + K)`` of ``q_e``.
        dropped_logits (Tensor): ``(B, 1 + K)`` of ``q_ed``.

    Returns:
        Tensor: scalar.
    """
    return (distribution_matching_loss(extreme_logits, normal_logits) +
            distribution_matching_loss(dropped_logits, normal_logits)) / 2

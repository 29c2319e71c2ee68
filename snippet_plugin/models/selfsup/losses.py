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


def margin_ranking(higher: torch.Tensor, lower: torch.Tensor,
                   margin: float) -> torch.Tensor:
    """Mean hinge that asks ``higher`` to exceed ``lower`` by ``margin``.

    ``loss = mean_b max(0, -(higher_b - lower_b) + margin)``, i.e. torch's
    ``MarginRankingLoss(margin)(higher, lower, target=1)``: zero for rows
    where ``higher_b - lower_b >= margin``; elsewhere its gradient raises
    ``higher_b`` and lowers ``lower_b``.

    Args:
        higher (Tensor): ``(B,)`` scores that should be the larger.
        lower (Tensor): ``(B,)`` scores that should be the smaller.
        margin (float): The required gap.

    Returns:
        Tensor: The scalar loss.
    """
    return F.relu(lower - higher + margin).mean()


def distribution_matching(logits: torch.Tensor,
                          target_logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of one similarity distribution against another.

    ``loss = -mean_b sum_j softmax(target_logits)_bj
    * log softmax(logits)_bj``; ``target_logits`` is detached, so the
    gradient only moves ``logits`` towards the target distribution.

    Args:
        logits (Tensor): ``(B, 1 + K)`` logits of the predicting branch,
            e.g. ``[q.k+, q.negᵀ] / t``.
        target_logits (Tensor): ``(B, 1 + K)`` logits over the same keys
            from the target branch.

    Returns:
        Tensor: The scalar loss.
    """
    target = F.softmax(target_logits.detach(), dim=1)
    return -(target * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


def contrast_logits(query: torch.Tensor, positive: torch.Tensor,
                    negatives: torch.Tensor,
                    temperature: float) -> torch.Tensor:
    """The logits that :func:`info_nce` classifies, positive first.

    Args:
        query (Tensor): ``(B, C)``, L2-normalised.
        positive (Tensor): ``(B, C)``, L2-normalised.
        negatives (Tensor): ``(K, C)``, L2-normalised.
        temperature (float): ``t``.

    Returns:
        Tensor: ``(B, 1 + K)`` = ``[q_b.k+_b, q_b.negᵀ] / t``.
    """
    positive_logits = (query * positive).sum(dim=1, keepdim=True)
    return torch.cat([positive_logits, query @ negatives.t()],
                     dim=1) / temperature

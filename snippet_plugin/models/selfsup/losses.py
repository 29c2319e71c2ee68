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

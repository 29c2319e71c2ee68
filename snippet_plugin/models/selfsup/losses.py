"""Contrastive losses: InfoNCE with a positive per query and shared negatives
(Eq. 2, Eq. 5), and the baselines' multi-positive and distribution-matching
terms (AimCLR, HiCLR, RVTCLR)."""
from typing import Optional, Tuple

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
    return positive_first_cross_entropy(
        contrastive_logits(query, positive, negatives, temperature))


def positive_first_cross_entropy(
        logits: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Mean cross-entropy of ``(B, L)`` logits whose column 0 is the
    positive, and the detached top-1 accuracy in percent (a tie with a
    negative counts as a hit); ``-inf`` entries are no candidates."""
    target = torch.zeros(logits.shape[0], dtype=torch.long,
                         device=logits.device)
    loss = F.cross_entropy(logits, target)
    accuracy = (logits.detach().argmax(dim=1) == 0).float().mean() * 100
    return loss, accuracy


def contrastive_logits(query: torch.Tensor, positive: torch.Tensor,
                       negatives: torch.Tensor,
                       temperature: float) -> torch.Tensor:
    """The logits of :func:`info_nce`: ``[q_b.k+_b, q_b.negᵀ] / t``.

    Args:
        query (Tensor): ``(B, C)``, L2-normalised.
        positive (Tensor): ``(B, C)``, L2-normalised.
        negatives (Tensor): ``(K, C)``, L2-normalised.
        temperature (float): ``t``.

    Returns:
        Tensor: ``(B, 1 + K)``; column 0 is the positive.
    """
    positive_logits = (query * positive).sum(dim=1, keepdim=True)
    return torch.cat([positive_logits, query @ negatives.t()],
                     dim=1) / temperature


def distribution_matching_loss(strong_logits: torch.Tensor,
                               weak_logits: torch.Tensor,
                               divergence: str = 'kl') -> torch.Tensor:
    """Pull a stronger view's similarity distribution towards a weaker
    view's, which is held fixed (stop-gradient).

    With ``p_b = softmax(weak_logits_b)`` (detached) and
    ``q_b = softmax(strong_logits_b)`` over the ``L`` entries (the positive
    key and the queue), the loss is the mean over ``b`` of

    * ``'kl'``: ``KL(p_b || q_b) = sum_l p_bl (log p_bl - log q_bl)``;
    * ``'ce'``: ``H(p_b, q_b) = -sum_l p_bl log q_bl``.

    The two differ by the entropy of the detached ``p_b``, so they have the
    same gradient; KL is 0 when the distributions agree.

    Args:
        strong_logits (Tensor): ``(B, L)``, receives the gradient.
        weak_logits (Tensor): ``(B, L)``, the target; detached here.
        divergence (str): ``'kl'`` or ``'ce'``.

    Returns:
        Tensor: The scalar loss.
    """
    if divergence not in ('kl', 'ce'):
        raise ValueError(f"divergence must be 'kl' or 'ce', got "
                         f'{divergence!r}')
    target = F.softmax(weak_logits.detach(), dim=1)
    loss = -(target * F.log_softmax(strong_logits, dim=1)).sum(dim=1)
    if divergence == 'kl':
        loss = loss + torch.xlogy(target, target).sum(dim=1)
    return loss.mean()


def hierarchical_matching_loss(logits: list[torch.Tensor],
                               weights: list[float],
                               divergence: str = 'kl') -> torch.Tensor:
    """HiCLR's asymmetric hierarchical consistency: each view's similarity
    distribution is pulled towards the next weaker view's, never the reverse.

    ``L = sum_i w_i D(sg[softmax(z_i)] || softmax(z_{i+1}))`` for
    ``i = 0 .. n-2``, ``D`` of :func:`distribution_matching_loss`, ``sg``
    the stop-gradient, ``z_i = logits[i]``.

    Args:
        logits (list[Tensor]): ``n >= 2`` tensors ``(B, L)``, ordered
            from the weakest augmentation to the strongest; all computed
            against the same positive key and negatives.
        weights (list[float]): ``n - 1`` weights ``w_i``, one per
            adjacent pair.
        divergence (str): ``'kl'`` or ``'ce'``.

    Returns:
        Tensor: The scalar weighted sum.
    """
    if len(logits) < 2 or len(weights) != len(logits) - 1:
        raise ValueError(f'need n >= 2 logits and n - 1 weights, got '
                         f'{len(logits)} logits and {len(weights)} weights')
    return sum(
        weight * distribution_matching_loss(stronger, weaker, divergence)
        for weight, weaker, stronger in zip(weights, logits, logits[1:]))


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


def d3m_loss(normal_logits: torch.Tensor, extreme_logits: torch.Tensor,
             dropped_logits: torch.Tensor) -> torch.Tensor:
    """AimCLR's Dual Distributional Divergence Minimization loss.

    All logits are ``[z.k, z.queueᵀ] / t`` ``(B, 1 + K)`` over the same key
    ``k`` (normal view, key encoder) and queue, for ``z`` the normal query
    ``q``, the extreme query ``q_e`` and the dropped extreme query ``q_ed``.
    With ``p(z) = softmax`` of those logits::

        L_D3M = 1/2 [ -1/B sum_b sum_j p(q)_bj log p(q_e)_bj
                      -1/B sum_b sum_j p(q)_bj log p(q_ed)_bj ]

    ``p(q)`` detached (:func:`distribution_matching_loss` with ``'ce'``). The 1/2 is
    AimCLR's code (``loss = InfoNCE + (L_e + L_ed) / 2``).

    Args:
        normal_logits (Tensor): ``(B, 1 + K)`` of ``q``.
        extreme_logits (Tensor): ``(B, 1 + K)`` of ``q_e``.
        dropped_logits (Tensor): ``(B, 1 + K)`` of ``q_ed``.

    Returns:
        Tensor: scalar.
    """
    return (distribution_matching_loss(extreme_logits, normal_logits, 'ce') +
            distribution_matching_loss(dropped_logits, normal_logits, 'ce')) / 2


def margin_ranking(higher: torch.Tensor, lower: torch.Tensor,
                   margin: float) -> torch.Tensor:
    """Mean hinge that asks ``higher`` to exceed ``lower`` by ``margin``
    (RVTCLR's relative-tempo ranking).

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


def within_sequence_logits(query_snippets: torch.Tensor,
                           key_snippets: torch.Tensor,
                           matches: torch.Tensor, temperature: float,
                           exclusion_radius: int = 0,
                           key_valid: Optional[torch.Tensor] = None
                           ) -> torch.Tensor:
    """Logits of every query snippet against the key view's other snippets
    of the same sequence: the intra-video negatives of Sec. 2 and 3.1.

    ``l_{n,i,j} = q_{n,i}.k_{n,j} / t``, set to ``-inf`` (no negative) where
    ``|j - j*_{n,i}| <= exclusion_radius``: the matched positive ``j*`` (Eq. 4)
    itself, and with a positive radius its temporal neighbours, whose
    content overlaps the positive's.

    Args:
        query_snippets (Tensor): ``(N, C, S_q)``, L2-normalised over ``C``.
        key_snippets (Tensor): ``(N, C, S_k)``, L2-normalised over ``C``.
        matches (Tensor): long ``(N, S_q)``, ``j*`` per query snippet.
        temperature (float): ``t``.
        exclusion_radius (int): Snippets on each side of ``j*`` that are
            neither positive nor negative. Defaults to 0.
        key_valid (Tensor, optional): ``(N, S_k)`` bool; key snippets of
            padding only (False) are no negatives. None: all are real.

    Returns:
        Tensor: ``(N * S_q, S_k)``, rows in the order of
        ``query_snippets.transpose(1, 2).reshape(-1, C)``.
    """
    if exclusion_radius < 0:
        raise ValueError(f'exclusion_radius must be >= 0, got '
                         f'{exclusion_radius}')
    logits = torch.bmm(query_snippets.transpose(1, 2),
                       key_snippets) / temperature
    key_index = torch.arange(key_snippets.shape[2],
                             device=matches.device).view(1, 1, -1)
    excluded = (key_index - matches.unsqueeze(2)).abs() <= exclusion_radius
    if key_valid is not None:
        excluded = excluded | ~key_valid.unsqueeze(1)
    return logits.masked_fill(excluded, float('-inf')).flatten(0, 1)

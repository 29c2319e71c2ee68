"""Losses written out with scalar loops: the references that the loss tests
and the model tests (AimCLR, HiCLR; the MS-TCN smoothing loss of the
refinement and the localizer) recompute by hand."""
import math


def reference_info_nce(query, positive, negatives, temperature):
    """Eq. 2 written out with scalar loops, averaged over queries."""
    losses = []
    for q, k in zip(query.tolist(), positive.tolist()):
        positive_term = math.exp(sum(a * b for a, b in zip(q, k)) /
                                 temperature)
        negative_terms = sum(
            math.exp(sum(a * b for a, b in zip(q, n)) / temperature)
            for n in negatives.tolist())
        losses.append(-math.log(positive_term /
                                (positive_term + negative_terms)))
    return sum(losses) / len(losses)


def hand_cross_entropy(target_logits, logits):
    """-(1/B) sum_b sum_j softmax(target)_bj * log softmax(logits)_bj."""
    total = 0.0
    for target_row, row in zip(target_logits.tolist(), logits.tolist()):
        target_norm = sum(math.exp(v) for v in target_row)
        log_norm = math.log(sum(math.exp(v) for v in row))
        total -= sum(
            math.exp(t) / target_norm * (v - log_norm)
            for t, v in zip(target_row, row))
    return total / len(logits)


def softmax_row(row):
    exps = [math.exp(x) for x in row]
    return [e / sum(exps) for e in exps]


def reference_matching(strong, weak, divergence):
    """mean_b sum_l p_bl (log p_bl - log q_bl) ('kl') or -p_bl log q_bl."""
    total = 0.0
    for strong_row, weak_row in zip(strong.tolist(), weak.tolist()):
        p, q = softmax_row(weak_row), softmax_row(strong_row)
        for p_l, q_l in zip(p, q):
            total -= p_l * math.log(q_l)
            if divergence == 'kl':
                total += p_l * math.log(p_l)
    return total / len(strong)


def reference_truncated_mse(logits, mask, clip):
    """MS-TCN's smoothing loss: the mean over classes and adjacent pairs of
    real frames of ``min(|log p_t,c - log p_t-1,c|, clip)^2``, with ``p``
    the softmax over the rows of ``logits (N, C, T)``."""
    total, count = 0.0, 0
    for sample, real in zip(logits.tolist(), mask.tolist()):
        columns = [list(column) for column in zip(*sample)]
        log_probs = [[v - math.log(sum(math.exp(u) for u in column))
                      for v in column] for column in columns]
        for t in range(1, len(columns)):
            if not (real[t] and real[t - 1]):
                continue
            for now, before in zip(log_probs[t], log_probs[t - 1]):
                total += min(abs(now - before), clip)**2
                count += 1
    return total / count

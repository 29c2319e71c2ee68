"""The contrastive losses (snippet_plugin.models.selfsup.losses) against
scalar-loop formulas: InfoNCE (Eq. 2), multi-positive InfoNCE and
nearest-neighbour mining (AimCLR), D3M, distribution and hierarchical
matching (HiCLR), margin ranking (RVTCLR)."""
import math

import pytest
import torch
import torch.nn.functional as F

from snippet_plugin.models import info_nce
from snippet_plugin.models.selfsup import (d3m_loss,
                                           distribution_matching_loss,
                                           hierarchical_matching_loss,
                                           margin_ranking,
                                           multi_positive_info_nce,
                                           nearest_neighbour_mask)
from snippet_plugin.models.selfsup.losses import (contrastive_logits,
                                                  positive_first_cross_entropy,
                                                  within_sequence_logits)
from helpers import unit_rows
from loss_references import (hand_cross_entropy, reference_info_nce,
                             reference_matching, softmax_row)

TEMPERATURE = 0.2


@pytest.mark.parametrize('temperature', [0.07, 0.5])
def test_info_nce_matches_the_written_out_formula(temperature):
    torch.manual_seed(0)
    query, positive = unit_rows(5, 8), unit_rows(5, 8)
    negatives = unit_rows(7, 8)
    loss, _ = info_nce(query.double(), positive.double(), negatives.double(),
                       temperature)
    assert loss.item() == pytest.approx(
        reference_info_nce(query, positive, negatives, temperature),
        rel=1e-9)


def test_info_nce_accuracy_counts_queries_whose_positive_wins():
    query = torch.tensor([[1., 0.], [0., 1.], [1., 0.], [0., 1.]])
    positive = torch.tensor([[1., 0.], [0., 1.], [0., 1.], [0.6, 0.8]])
    negatives = torch.tensor([[0.8, 0.6], [-1., 0.]])
    # query 0: pos 1.0 > 0.8; query 1: pos 1.0 > 0.6; query 2: pos 0 < 0.8;
    # query 3: pos 0.8 > 0.6 -> 3 of 4 hits.
    _, accuracy = info_nce(query, positive, negatives, 0.1)
    assert accuracy.item() == pytest.approx(75.0)
    assert not accuracy.requires_grad


def test_info_nce_gradient_is_softmax_weighted_keys_minus_positive():
    """Analytic gradient: (softmax-weighted candidates - k+) / (t B)."""
    torch.manual_seed(2)
    temperature = 0.3
    query = unit_rows(3, 4).double().requires_grad_()
    positive, negatives = unit_rows(3, 4).double(), unit_rows(6, 4).double()
    loss, _ = info_nce(query, positive, negatives, temperature)
    loss.backward()
    for b in range(3):
        candidates = torch.cat([positive[b:b + 1], negatives])
        weights = torch.softmax(candidates @ query[b].detach() / temperature,
                                dim=0)
        expected = (weights @ candidates - positive[b]) / (temperature * 3)
        torch.testing.assert_close(query.grad[b], expected)


def test_d3m_is_the_hand_written_cross_entropy_of_both_extreme_views():
    normal, extreme, dropped = (torch.randn(3, 5, generator=torch.Generator(
    ).manual_seed(seed), dtype=torch.float64) for seed in range(3))
    expected = 0.5 * (hand_cross_entropy(normal, extreme) +
                      hand_cross_entropy(normal, dropped))
    assert float(d3m_loss(normal, extreme, dropped)) == pytest.approx(
        expected, rel=1e-10)


def test_d3m_sends_no_gradient_to_the_normal_view():
    normal = torch.randn(2, 4, requires_grad=True)
    extreme = torch.randn(2, 4, requires_grad=True)
    d3m_loss(normal, extreme, extreme).backward()
    assert normal.grad is None
    assert extreme.grad.abs().sum() > 0


def test_multi_positive_info_nce_by_hand_and_equal_to_info_nce_alone():
    query, key = unit_rows(3, 8, seed=1), unit_rows(3, 8, seed=2)
    queue = unit_rows(5, 8, seed=3)
    logits = contrastive_logits(query, key, queue, TEMPERATURE)
    only_key = torch.zeros(3, 6, dtype=torch.bool)
    only_key[:, 0] = True
    loss, acc = multi_positive_info_nce(logits, only_key)
    ref_loss, ref_acc = info_nce(query, key, queue, TEMPERATURE)
    assert torch.allclose(loss, ref_loss) and acc == ref_acc
    mask = only_key.clone()
    mask[0, 3] = mask[2, 1] = mask[2, 5] = True
    mask[torch.arange(3), logits.argmax(dim=1)] = True  # as mining does
    expected = 0.0
    for row, positives in zip(logits.tolist(), mask.tolist()):
        log_norm = math.log(sum(math.exp(v) for v in row))
        chosen = [v - log_norm for v, p in zip(row, positives) if p]
        expected -= sum(chosen) / len(chosen)
    loss, acc = multi_positive_info_nce(logits, mask)
    assert float(loss) == pytest.approx(expected / 3, rel=1e-5)
    # accuracy: the key (column 0) on top, mined positives do not count
    rows = logits.tolist()
    hits = [row.index(max(row)) == 0 for row in rows]
    assert not all(hits)  # some row has a mined positive on top
    assert float(acc) == pytest.approx(100 * sum(hits) / 3)


def test_nearest_neighbour_mask_is_the_brute_force_argmax_union():
    queries = [unit_rows(4, 8, seed=s) for s in (10, 11)]
    queue = unit_rows(9, 8, seed=12)
    mask = nearest_neighbour_mask(queries, queue, topk=1)
    for b in range(4):
        expected = set()
        for query in queries:
            scores = [float(query[b] @ entry) for entry in queue]
            expected.add(scores.index(max(scores)))
        assert set(torch.nonzero(mask[b]).flatten().tolist()) == expected


@pytest.mark.parametrize('divergence', ['kl', 'ce'])
def test_distribution_matching_equals_the_written_formula(divergence):
    strong = torch.tensor([[2.0, 0.5, -1.0, 0.0], [0.1, 0.2, 3.0, -2.0]])
    weak = torch.tensor([[1.0, 1.0, 0.0, -1.0], [-0.5, 0.0, 0.5, 1.5]])
    loss = distribution_matching_loss(strong, weak, divergence)
    assert loss.item() == pytest.approx(
        reference_matching(strong, weak, divergence), rel=1e-6)


def test_kl_is_zero_for_equal_distributions_and_ce_is_their_entropy():
    logits = torch.tensor([[0.3, -1.2, 2.0]])
    assert distribution_matching_loss(logits, logits + 5.0).item() == \
        pytest.approx(0.0, abs=1e-6)
    p = softmax_row([0.3, -1.2, 2.0])
    assert distribution_matching_loss(logits, logits, 'ce').item() == \
        pytest.approx(-sum(x * math.log(x) for x in p), rel=1e-6)


def test_hierarchical_matching_is_the_weighted_chain_of_adjacent_pairs():
    generator = torch.Generator().manual_seed(0)
    logits = [torch.randn(3, 5, generator=generator) for _ in range(3)]
    loss = hierarchical_matching_loss(logits, [0.25, 2.0])
    expected = (0.25 * reference_matching(logits[1], logits[0], 'kl') +
                2.0 * reference_matching(logits[2], logits[1], 'kl'))
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_gradient_reaches_only_the_stronger_side_of_each_pair():
    generator = torch.Generator().manual_seed(1)
    logits = [
        torch.randn(2, 4, generator=generator).requires_grad_()
        for _ in range(3)
    ]
    hierarchical_matching_loss(logits, [0.5, 0.5]).backward()
    assert logits[0].grad is None, 'the weakest view is only a target'
    # d/dz_strong mean_b KL(p_b || softmax z_b) = (softmax z_b - p_b) / B;
    # view 1 is the stronger side of pair (0, 1) only: as the target of
    # pair (1, 2) it is detached
    for view, weaker in ((1, 0), (2, 1)):
        expected = torch.tensor([[
            0.5 * (q - p) / 2 for q, p in zip(
                softmax_row(strong_row), softmax_row(weak_row))
        ] for strong_row, weak_row in zip(logits[view].tolist(),
                                         logits[weaker].tolist())])
        torch.testing.assert_close(logits[view].grad, expected)


def test_matching_refuses_bad_arguments():
    logits = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="'kl' or 'ce'"):
        distribution_matching_loss(logits, logits, 'js')
    with pytest.raises(ValueError, match='n - 1 weights'):
        hierarchical_matching_loss([logits, logits], [0.5, 0.5])


def test_margin_ranking_is_zero_beyond_the_margin_and_hinged_otherwise():
    higher = torch.tensor([3.0, 0.5, 1.0], requires_grad=True)
    lower = torch.tensor([1.0, 0.5, 2.5], requires_grad=True)
    loss = margin_ranking(higher, lower, margin=1.0)
    # rows: gap 2 > margin -> 0; gap 0 -> 1; gap -1.5 -> 2.5
    assert loss.item() == pytest.approx((0.0 + 1.0 + 2.5) / 3)
    assert loss.item() == pytest.approx(
        torch.nn.MarginRankingLoss(margin=1.0)(higher, lower,
                                               torch.ones(3)).item())
    loss.backward()
    # descending the gradient raises `higher` and lowers `lower`, except on
    # the row already past the margin
    torch.testing.assert_close(higher.grad, torch.tensor([0., -1., -1.]) / 3)
    torch.testing.assert_close(lower.grad, torch.tensor([0., 1., 1.]) / 3)
    assert margin_ranking(torch.tensor([2.01]), torch.tensor([1.0]),
                          1.0).item() == 0.0


@pytest.mark.parametrize('radius', [0, 1])
def test_within_sequence_logits_are_the_looped_dot_products_off_the_match(
        radius):
    generator = torch.Generator().manual_seed(3)
    query = F.normalize(torch.randn(2, 4, 3, generator=generator), dim=1)
    keys = F.normalize(torch.randn(2, 4, 5, generator=generator), dim=1)
    matches = torch.tensor([[0, 2, 4], [1, 1, 3]])

    logits = within_sequence_logits(query, keys, matches, 0.5, radius)

    assert logits.shape == (2 * 3, 5)
    for n in range(2):
        for i in range(3):
            for j in range(5):
                value = logits[n * 3 + i, j].item()
                if abs(j - matches[n, i].item()) <= radius:
                    assert value == float('-inf')
                else:
                    expected = sum(query[n, c, i].item() * keys[n, c, j].item()
                                   for c in range(4)) / 0.5
                    assert value == pytest.approx(expected, rel=1e-5)


def test_within_sequence_logits_refuse_a_negative_radius():
    snippets = torch.zeros(1, 2, 2)
    with pytest.raises(ValueError, match='exclusion_radius'):
        within_sequence_logits(snippets, snippets, torch.zeros(1, 2).long(),
                               0.1, -1)


def test_positive_first_cross_entropy_ignores_minus_inf_candidates():
    logits = torch.tensor([[2.0, 1.0, float('-inf')], [0.0, 3.0, 1.0]])
    loss, accuracy = positive_first_cross_entropy(logits)
    by_hand = (-math.log(math.exp(2) / (math.exp(2) + math.exp(1))) -
               math.log(1 / (1 + math.exp(3) + math.exp(1)))) / 2
    assert loss.item() == pytest.approx(by_hand, rel=1e-6)
    assert accuracy.item() == 50.0


def test_within_sequence_logits_drop_key_snippets_of_padding():
    generator = torch.Generator().manual_seed(5)
    query = F.normalize(torch.randn(1, 4, 2, generator=generator), dim=1)
    keys = F.normalize(torch.randn(1, 4, 4, generator=generator), dim=1)
    key_valid = torch.tensor([[True, True, True, False]])
    logits = within_sequence_logits(query, keys, torch.tensor([[0, 1]]), 1.0,
                                    key_valid=key_valid)
    assert torch.isinf(logits[:, 3]).all()
    assert torch.isinf(logits[0, 0]) and torch.isinf(logits[1, 1])
    assert torch.isfinite(logits[0, 1:3]).all()
    assert torch.isfinite(logits[1, [0, 2]]).all()

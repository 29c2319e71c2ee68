"""Queue, InfoNCE, projection heads, snippet matcher and the momentum (EMA)
update, each against hand-worked values or brute force."""
import io
import math

import pytest
import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from snippet_plugin.models import (DenseProjectionHead, GlobalProjectionHead,
                                   QueueMemoryBank, SnippetMatcher, info_nce)


def unit_rows(*shape):
    return F.normalize(torch.randn(*shape), dim=-1)


# ---------------------------------------------------------------- InfoNCE


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


# ----------------------------------------------------------------- queue


def rows(start, count, dim=2):
    """Distinguishable keys: row i is [start+i, -(start+i), ...]."""
    values = torch.arange(start, start + count, dtype=torch.float32)
    return torch.stack([values * (-1)**d for d in range(dim)], dim=1)


def test_queue_initial_rows_are_unit_vectors_and_pointer_zero():
    bank = QueueMemoryBank(size=6, dim=4)
    torch.testing.assert_close(bank.queue.norm(dim=1), torch.ones(6))
    assert bank.ptr.dtype == torch.long and int(bank.ptr) == 0


def test_queue_is_fifo_with_wrap_around():
    bank = QueueMemoryBank(size=5, dim=2)
    initial = bank.queue.clone()
    a = rows(10, 3)
    bank.enqueue(a)
    assert int(bank.ptr) == 3
    torch.testing.assert_close(bank.queue[:3], a)
    torch.testing.assert_close(bank.queue[3:], initial[3:])
    b = rows(20, 4)
    bank.enqueue(b)
    # b0 -> slot 3, b1 -> 4, b2 -> 0, b3 -> 1; slot 2 still holds a2.
    expected = torch.stack([b[2], b[3], a[2], b[0], b[1]])
    torch.testing.assert_close(bank.queue, expected)
    assert int(bank.ptr) == 2


def test_queue_batch_larger_than_size_keeps_the_last_keys_in_fifo_slots():
    bank = QueueMemoryBank(size=5, dim=2)
    bank.enqueue(rows(0, 1))  # ptr 1
    c = rows(100, 7)
    bank.enqueue(c)
    # one key at a time from slot 1: c0..c3 -> 1..4, c4 -> 0, c5 -> 1,
    # c6 -> 2; survivors: slot0 c4, slot1 c5, slot2 c6, slot3 c2, slot4 c3.
    torch.testing.assert_close(bank.queue,
                               torch.stack([c[4], c[5], c[6], c[2], c[3]]))
    assert int(bank.ptr) == (1 + 7) % 5


def test_queue_negatives_are_a_detached_copy_that_survives_enqueue():
    bank = QueueMemoryBank(size=4, dim=3)
    query = unit_rows(2, 3).requires_grad_()
    negatives = bank.negatives()
    assert not negatives.requires_grad
    logits = query @ negatives.t()
    bank.enqueue(unit_rows(4, 3))
    logits.sum().backward()  # would fail if negatives aliased the queue
    torch.testing.assert_close(query.grad, negatives.sum(0).expand(2, 3))


def test_queue_enqueue_detaches_keys_and_checks_their_shape():
    bank = QueueMemoryBank(size=4, dim=3)
    keys = unit_rows(2, 3).requires_grad_()
    bank.enqueue(keys)
    assert not bank.queue.requires_grad
    with pytest.raises(ValueError, match=r'\(B, 3\)'):
        bank.enqueue(unit_rows(2, 4))


def test_queue_pointer_and_contents_round_trip_through_state_dict_and_disk():
    bank = QueueMemoryBank(size=5, dim=2)
    bank.enqueue(rows(1, 3))
    restored = QueueMemoryBank(size=5, dim=2)
    restored.load_state_dict(bank.state_dict())
    assert torch.equal(restored.queue, bank.queue)
    assert int(restored.ptr) == 3

    buffer = io.BytesIO()
    torch.save(bank.state_dict(), buffer)
    buffer.seek(0)
    from_disk = QueueMemoryBank(size=5, dim=2)
    from_disk.load_state_dict(torch.load(buffer, weights_only=True))
    assert torch.equal(from_disk.queue, bank.queue)
    from_disk.enqueue(rows(50, 3))  # continues at slot 3 and wraps to 0
    assert int(from_disk.ptr) == 1
    torch.testing.assert_close(from_disk.queue[[3, 4, 0]], rows(50, 3))


def test_queue_is_registered():
    assert MODELS.get('QueueMemoryBank') is QueueMemoryBank


# ----------------------------------------------------------------- heads


def test_global_head_is_mean_over_time_then_linear_then_unit_norm():
    head = GlobalProjectionHead(in_channels=6, out_channels=4)
    features = torch.randn(3, 6, 9)
    expected = features.mean(dim=2) @ head.projection.weight.t(
    ) + head.projection.bias
    expected = expected / expected.norm(dim=1, keepdim=True)
    output = head(features)
    assert output.shape == (3, 4)
    torch.testing.assert_close(output, expected)


def test_global_head_with_hidden_channels_is_an_mlp():
    head = GlobalProjectionHead(in_channels=6, out_channels=4,
                                hidden_channels=5)
    first, _, second = head.projection
    features = torch.randn(2, 6, 7)
    hidden = torch.relu(first(features.mean(dim=2)))
    torch.testing.assert_close(head(features),
                               F.normalize(second(hidden), dim=1))


def reference_snippet_pool(features, num_snippets):
    """Bin i averages frames floor(i*T/S) .. ceil((i+1)*T/S)-1."""
    num_frames = features.shape[2]
    bins = []
    for i in range(num_snippets):
        start = (i * num_frames) // num_snippets
        end = -(-((i + 1) * num_frames) // num_snippets)
        bins.append(features[:, :, start:end].mean(dim=2))
    return torch.stack(bins, dim=2)


@pytest.mark.parametrize('num_frames, num_snippets', [(38, 19), (10, 3),
                                                      (7, 7)])
def test_dense_head_pools_snippets_and_projects_them_to_unit_vectors(
        num_frames, num_snippets):
    head = DenseProjectionHead(in_channels=6, out_channels=4,
                               num_snippets=num_snippets)
    features = torch.randn(2, 6, num_frames)
    pooled = head.pool(features)
    torch.testing.assert_close(pooled,
                               reference_snippet_pool(features, num_snippets))
    first, _, second = head.projection
    assert first.in_channels == first.out_channels == 6  # hidden = in
    assert first.kernel_size == second.kernel_size == (1, )
    embeddings = head(features)
    assert embeddings.shape == (2, 4, num_snippets)
    torch.testing.assert_close(embeddings.norm(dim=1),
                               torch.ones(2, num_snippets))
    by_snippet = torch.stack([
        F.normalize(second.weight[..., 0] @ torch.relu(
            first.weight[..., 0] @ pooled[n, :, s] + first.bias) +
                    second.bias,
                    dim=0) for n in range(2) for s in range(num_snippets)
    ]).reshape(2, num_snippets, 4).transpose(1, 2)
    torch.testing.assert_close(embeddings, by_snippet)


def test_dense_head_refuses_more_snippets_than_frames():
    head = DenseProjectionHead(in_channels=6, num_snippets=19)
    with pytest.raises(ValueError, match='num_snippets=19 exceeds .* T=8'):
        head(torch.randn(1, 6, 8))


# --------------------------------------------------------------- matcher


def brute_force_match(query_feats, key_feats, cosine):
    result = []
    for q_sample, k_sample in zip(query_feats, key_feats):
        row = []
        for i in range(q_sample.shape[1]):
            best, best_j = -math.inf, None
            for j in range(k_sample.shape[1]):
                a, b = q_sample[:, i].tolist(), k_sample[:, j].tolist()
                score = sum(x * y for x, y in zip(a, b))
                if cosine:
                    score /= math.sqrt(sum(x * x for x in a)) * math.sqrt(
                        sum(y * y for y in b))
                if score > best:
                    best, best_j = score, j
            row.append(best_j)
        result.append(row)
    return torch.tensor(result)


@pytest.mark.parametrize('similarity', ['cosine', 'dot'])
@pytest.mark.parametrize('num_query, num_key', [(5, 3), (3, 7), (4, 4)])
def test_matcher_equals_brute_force_argmax(similarity, num_query, num_key):
    torch.manual_seed(1)
    query_feats = torch.randn(3, 6, num_query) * torch.rand(3, 1, num_query)
    key_feats = torch.randn(3, 6, num_key) * 5 * torch.rand(3, 1, num_key)
    matches = SnippetMatcher(similarity).match(query_feats, key_feats)
    assert matches.dtype == torch.long and matches.shape == (3, num_query)
    assert torch.equal(
        matches,
        brute_force_match(query_feats, key_feats, similarity == 'cosine'))


def test_cosine_and_dot_matching_differ_when_norms_differ():
    query_feats = torch.tensor([[[1.0], [0.0]]])  # (1, 2, 1)
    key_feats = torch.tensor([[[10.0, 1.0], [10.0, 0.0]]])  # k0 long
    # cosine: k0 0.707, k1 1.0 -> 1 ; dot: k0 10, k1 1 -> 0
    cosine = SnippetMatcher('cosine').match(query_feats, key_feats)
    dot = SnippetMatcher('dot').match(query_feats, key_feats)
    assert cosine.tolist() == [[1]]
    assert dot.tolist() == [[0]]


def test_matcher_defaults_to_cosine_and_rejects_unknown_similarity():
    assert MODELS.build(dict(type='SnippetMatcher')).similarity == 'cosine'
    with pytest.raises(ValueError, match='similarity'):
        SnippetMatcher('l2')


# ------------------------------------------------------ momentum encoder


def tiny_moco(momentum):
    backbone = dict(
        type='MultiScaleGCN',
        backbone=dict(type='STGCN',
                      graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
                      base_channels=4, num_stages=4, inflate_stages=[3],
                      down_stages=[3]))
    return MODELS.build(
        dict(type='SkeletonMoCo', backbone=backbone,
             global_head=dict(type='GlobalProjectionHead', in_channels=8,
                              out_channels=8),
             dense_head=dict(type='DenseProjectionHead', in_channels=8,
                             out_channels=8, num_snippets=2),
             queue_size=8, feat_dim=8, momentum=momentum))


def test_ema_first_step_copies_query_then_follows_moco_momentum():
    torch.manual_seed(0)
    momentum = 0.9
    model = tiny_moco(momentum)
    assert model.encoder_k.momentum == pytest.approx(1 - momentum)
    with torch.no_grad():  # key encoder diverges, e.g. after init_weights
        for param in model.encoder_k.module.parameters():
            param.add_(1.0)
    views = torch.randn(2, 2, 1, 8, 25, 3)
    model.loss(views)
    for name, param in model.encoder_q.named_parameters():
        assert torch.equal(model.encoder_k.module.get_parameter(name), param)

    before = {
        name: param.clone()
        for name, param in model.encoder_k.module.named_parameters()
    }
    with torch.no_grad():  # stands in for an optimiser step
        for param in model.encoder_q.parameters():
            param.add_(torch.randn_like(param))
    model.loss(views)
    assert int(model.encoder_k.steps) == 2
    for name, query_param in model.encoder_q.named_parameters():
        expected = momentum * before[name] + (1 - momentum) * query_param
        torch.testing.assert_close(
            model.encoder_k.module.get_parameter(name), expected)
        assert not model.encoder_k.module.get_parameter(name).requires_grad

"""AimCLR: the energy-based drop and neighbour mining against hand-written
formulas and brute force; losses recomputed from the encoders and training
steps of the full model."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper

from mmaction.registry import MODELS
from snippet_plugin.engine.hooks import NeighbourMiningHook
from snippet_plugin.models.selfsup import energy_attention_drop, info_nce
from helpers import tiny_moco_cfg, unit_rows
from padded_views import assert_padding_changes_nothing, frame_local_model
from loss_references import hand_cross_entropy
from view_frames import assert_matcher_got_views, samples_with_view_frames

FEAT_DIM = 16
QUEUE_SIZE = 12
TEMPERATURE = 0.2
NUM_FRAMES = 16  # levels 16, 8, 4, 2 with down_stages=[2, 5, 8]


# ---- neighbour mining -------------------------------------------------------


def aimclr_cfg(dense=False, **kwargs):
    return tiny_moco_cfg('AimCLR', FEAT_DIM, QUEUE_SIZE, TEMPERATURE,
                         num_snippets=2 if dense else None, **kwargs)


def build(dense=False, seed=0, **kwargs):
    torch.manual_seed(seed)
    return MODELS.build(aimclr_cfg(dense, **kwargs))


def view_triplets(num_samples=3, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(num_samples, 3, 1, NUM_FRAMES, 25, 3,
                       generator=generator)


def test_global_loss_mines_the_brute_force_nearest_queue_entries():
    model = build()
    query, key = unit_rows(3, FEAT_DIM, seed=4), unit_rows(3, FEAT_DIM,
                                                           seed=5)
    extra = unit_rows(3, FEAT_DIM, seed=6)
    queue = model.global_queue.queue.clone()
    baseline = model._global_loss(query, key, (extra, ))
    assert torch.equal(baseline[0],
                       info_nce(query, key, queue, TEMPERATURE)[0])
    model.mine_neighbours = True
    loss, _ = model._global_loss(query, key, (extra, ))
    expected = 0.0
    for b in range(3):
        logits = [float(query[b] @ key[b]) / TEMPERATURE] + [
            float(query[b] @ entry) / TEMPERATURE for entry in queue
        ]
        positives = {0}
        for mined in (query, extra):
            scores = [float(mined[b] @ entry) for entry in queue]
            positives.add(1 + scores.index(max(scores)))
        log_norm = math.log(sum(math.exp(v) for v in logits))
        expected -= sum(logits[j] - log_norm
                        for j in positives) / len(positives)
    assert float(loss) == pytest.approx(expected / 3, rel=1e-5)


# ---- energy-based attention drop --------------------------------------------


def brute_force_importance(features, e_lambda=1e-4):
    """1 / e* of every (n, c, t), from explicit loops."""
    n_samples, channels, frames = features.shape
    importance = torch.zeros_like(features)
    for n in range(n_samples):
        for c in range(channels):
            values = features[n, c].tolist()
            mean = sum(values) / frames
            var = sum((v - mean)**2 for v in values) / (frames - 1)
            for t, v in enumerate(values):
                energy = 4 * (var + e_lambda) / ((v - mean)**2 + 2 * var +
                                                 2 * e_lambda)
                importance[n, c, t] = 1 / energy
    return importance


def test_energy_drop_zeros_the_lowest_energy_positions_at_the_ratio():
    features = torch.randn(2, 3, 10, generator=torch.Generator().manual_seed(
        7), dtype=torch.float64)
    out = energy_attention_drop(features, keep_ratio=0.7)
    importance = brute_force_importance(features)
    for n in range(2):
        order = sorted(range(30), key=lambda i: -float(
            importance[n].flatten()[i]))
        dropped, kept = set(order[:9]), order[9:]  # 30 - round(0.7 * 30)
        flat_out, flat_in = out[n].flatten(), features[n].flatten()
        for i in range(30):
            if i in dropped:
                assert flat_out[i] == 0
            else:
                assert float(flat_out[i]) == pytest.approx(
                    float(flat_in[i]) * 30 / 21)
        energies = 1 / importance[n].flatten()
        assert max(float(energies[i]) for i in dropped) <= min(
            float(energies[i]) for i in kept)


def test_energy_drop_keeps_gradients_of_kept_positions_only():
    features = torch.randn(1, 4, 5, requires_grad=True)
    energy_attention_drop(features, keep_ratio=0.5).sum().backward()
    grads = features.grad.flatten()
    assert int((grads == 0).sum()) == 10
    assert torch.allclose(grads[grads != 0], torch.full((10, ), 2.0))


# ---- the model --------------------------------------------------------------


def test_loss_is_infonce_plus_d3m_recomputed_from_the_encoders():
    model = build()
    inputs = view_triplets()
    queue_before = model.global_queue.queue.clone()
    losses = model.loss(inputs)
    assert set(losses) == {'loss_global', 'loss_d3m', 'acc_global'}
    with torch.no_grad():
        # batch-statistics BN: the query encoder gives the same features
        _, query = model.encode_query(inputs[:, 0])
        extreme_feats, extreme = model.encode_query(inputs[:, 2])
        dropped = model.encoder_q['global_head'](
            energy_attention_drop(extreme_feats, 0.7))
        key = model.encode_key(inputs[:, 1])[1]
    # the normal key (view 1) is what was enqueued
    assert torch.allclose(model.global_queue.queue[:3], key, atol=1e-6)

    def logits(view):
        return torch.tensor([[float(v @ k) / TEMPERATURE] + [
            float(v @ entry) / TEMPERATURE for entry in queue_before
        ] for v, k in zip(view, key)], dtype=torch.float64)

    expected_d3m = 0.5 * (
        hand_cross_entropy(logits(query), logits(extreme)) +
        hand_cross_entropy(logits(query), logits(dropped)))
    assert float(losses['loss_d3m'].detach()) == pytest.approx(
        expected_d3m, rel=1e-4)
    expected_global = float(
        F.cross_entropy(logits(query), torch.zeros(3, dtype=torch.long)))
    assert float(losses['loss_global'].detach()) == pytest.approx(
        expected_global, rel=1e-4)


def test_d3m_weight_scales_only_its_loss():
    inputs = view_triplets()
    plain = build().loss(inputs)
    weighted = build(loss_d3m_weight=2.5).loss(inputs)
    assert torch.allclose(weighted['loss_d3m'], 2.5 * plain['loss_d3m'])
    assert torch.allclose(weighted['loss_global'], plain['loss_global'])


@pytest.mark.parametrize('dense', [False, True], ids=['global', 'snippet'])
@pytest.mark.parametrize('mining', [False, True], ids=['plain', 'mining'])
def test_one_training_step(dense, mining):
    model = build(dense=dense)
    model.mine_neighbours = mining
    batch = dict(inputs=list(view_triplets(num_samples=4)),
                 data_samples=None)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = [p.detach().clone() for p in model.encoder_q.parameters()]
    log_vars = model.train_step(batch, optim)
    expected = {'loss', 'loss_global', 'loss_d3m', 'acc_global'}
    if dense:
        expected |= {'loss_dense', 'acc_dense'}
    assert set(log_vars) == expected
    assert all(torch.isfinite(v) for v in log_vars.values())
    assert torch.allclose(
        log_vars['loss'],
        sum(v for k, v in log_vars.items() if k.startswith('loss_')))
    assert int(model.global_queue.ptr) == 4
    if dense:
        assert int(model.dense_queue.ptr) == 4
    assert any(not torch.equal(b, p)
               for b, p in zip(before, model.encoder_q.parameters()))


def test_refuses_view_pairs():
    with pytest.raises(ValueError, match=r'\(N, 3, M, T, V, C\)'):
        build().loss(view_triplets()[:, :2])


def test_model_and_hook_are_registered():
    from mmaction.registry import HOOKS
    from snippet_plugin.models.selfsup import AimCLR
    assert MODELS.get('AimCLR') is AimCLR
    assert HOOKS.get('NeighbourMiningHook') is NeighbourMiningHook


# ---- padding ----------------------------------------------------------------


def test_energy_drop_ranks_and_scales_the_real_steps_only():
    """Sample 0 has 6 real steps of 10: its real positions are dropped and
    scaled exactly as the 6-step sequence alone, its padded ones kept as
    they are; sample 1 (no padding) as without a mask."""
    generator = torch.Generator().manual_seed(3)
    features = torch.randn(2, 3, 10, generator=generator,
                           dtype=torch.float64)
    features[0, :, 6:] = 40.0  # padding that would dominate the ranking
    mask = torch.tensor([[True] * 6 + [False] * 4, [True] * 10])
    out = energy_attention_drop(features, 0.7, step_mask=mask)
    torch.testing.assert_close(
        out[0, :, :6], energy_attention_drop(features[:1, :, :6], 0.7)[0])
    assert torch.equal(out[0, :, 6:], features[0, :, 6:])
    torch.testing.assert_close(out[1:],
                               energy_attention_drop(features[1:], 0.7))


def test_padding_changes_no_aimclr_loss_match_or_queue_entry():
    model = frame_local_model('AimCLR', FEAT_DIM, QUEUE_SIZE, TEMPERATURE)
    model.mine_neighbours = True
    assert_padding_changes_nothing(model, num_views=3)


def test_the_matcher_gets_the_frames_of_the_query_and_key_views():
    model = build(dense=True,
                  matcher=dict(type='FrameRecordingMatcherForTests'))
    model.loss(view_triplets(), samples_with_view_frames(3, 3, NUM_FRAMES))
    assert_matcher_got_views(model, 0, 1, 3, NUM_FRAMES)

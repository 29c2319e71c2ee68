"""RVTCLR: its losses recomputed by hand from the encoders and the queue, the
key it enqueues, the snippet branch, and one training step of the headline
BABEL config."""
import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper

from mmaction.registry import DATASETS, MODELS
from mmaction.structures import ActionDataSample
from snippet_plugin.datasets.annotation import save_annotations
from snippet_plugin.models.selfsup import RVTCLR
from helpers import CONFIGS, tiny_moco_cfg
from padded_views import (assert_padding_changes_nothing,
                          frame_local_backbone)
from view_frames import assert_matcher_got_views, samples_with_view_frames

FEAT_DIM = 16
QUEUE_SIZE = 10
TEMPERATURE = 0.5
MARGIN = 1.0
NUM_FRAMES = 16  # levels 16, 8, 4, 2 with down_stages=[2, 5, 8]


def rvtclr_cfg(dense=False, **kwargs):
    """Tiny STGCN RVTCLR; the last level has 32 channels."""
    heads = dict(
        motion_head=dict(type='GlobalProjectionHead', in_channels=32,
                         out_channels=FEAT_DIM),
        part_head=dict(type='BodyPartRelationHead', in_channels=32,
                       out_channels=FEAT_DIM),
        margin=MARGIN)
    return tiny_moco_cfg('RVTCLR', FEAT_DIM, QUEUE_SIZE, TEMPERATURE,
                         num_snippets=2 if dense else None,
                         **{**heads, **kwargs})


def build(dense=False, seed=0, **kwargs):
    torch.manual_seed(seed)
    return MODELS.build(rvtclr_cfg(dense, **kwargs))


def tempo_views(num_samples=3, seed=1):
    """``(N, 4, M=1, T, V, C)`` random views."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(num_samples, 4, 1, NUM_FRAMES, 25, 3,
                       generator=generator)


def dot(a, b):
    return float(a.double() @ b.double())


def reference_info_nce(query, positive, negatives):
    """-log(e^{q.k+/t} / (e^{q.k+/t} + sum_n e^{q.n/t})), mean over rows."""
    total = 0.0
    for q, k in zip(query, positive):
        positive_term = math.exp(dot(q, k) / TEMPERATURE)
        negative_terms = sum(
            math.exp(dot(q, n) / TEMPERATURE) for n in negatives)
        total -= math.log(positive_term / (positive_term + negative_terms))
    return total / len(query)


def reference_distribution_matching(part, query, key, negatives):
    """-sum_j softmax([q.k, q.Q]/t)_j log softmax([p.k, p.Q]/t)_j, mean."""
    total = 0.0
    for p, q, k in zip(part, query, key):
        target = [math.exp(dot(q, x) / TEMPERATURE)
                  for x in [k, *negatives]]
        predicted = [math.exp(dot(p, x) / TEMPERATURE)
                     for x in [k, *negatives]]
        total -= sum(t / sum(target) * math.log(e / sum(predicted))
                     for t, e in zip(target, predicted))
    return total / len(query)


@torch.no_grad()
def reference_step(model, views):
    """Every loss of the first step from a copy of the model taken before
    it: the first EMA step copies the query encoder, so keys come from the
    query encoder too (train mode, batch statistics, like the model)."""
    encoder = model.encoder_q

    def embed(view):
        feats = encoder['backbone'](view)[-1]
        return (encoder['global_head'](feats),
                encoder['motion_head'](feats))

    query, query_motion = embed(views[:, 0])
    key, key_motion = embed(views[:, 1])
    other_key, other_motion = embed(views[:, 2])
    # STGCN returns its last stage per joint: (N, M, C, T, V)
    part = model.part_head(encoder['backbone'].backbone(views[:, 3]))
    negatives = model.global_queue.queue.clone()
    rank = [
        max(0.0, MARGIN - (dot(m, k) - dot(m, o)) / TEMPERATURE)
        for m, k, o in zip(query_motion, key_motion, other_motion)
    ]
    return dict(
        loss_global=reference_info_nce(query, key, negatives),
        loss_cross_tempo=reference_info_nce(query, other_key, negatives),
        loss_tempo_rank=sum(rank) / len(rank),
        loss_part=reference_distribution_matching(part, query, key,
                                                  negatives))


def test_first_step_losses_match_hand_recomputation():
    model = build()
    views = tempo_views()
    expected = reference_step(copy.deepcopy(model), views)
    losses = model.loss(views)
    assert set(losses) == {
        'loss_global', 'loss_cross_tempo', 'loss_tempo_rank', 'loss_part',
        'acc_global', 'acc_cross_tempo', 'acc_tempo_rank'}
    for name, value in expected.items():
        assert losses[name].item() == pytest.approx(value, rel=1e-4,
                                                    abs=1e-6), name
    assert not losses['acc_tempo_rank'].requires_grad


def test_mined_neighbours_of_query_and_part_view_join_both_positives():
    """With mining on, each appearance term is -mean log softmax over the
    key and the queue entries nearest to p̄ and to p̃ (brute force)."""
    model = build()
    model.mine_neighbours = True
    views = tempo_views()
    reference = copy.deepcopy(model)
    losses = model.loss(views)
    with torch.no_grad():
        encoder = reference.encoder_q
        query, key, other_key = (
            encoder['global_head'](encoder['backbone'](views[:, i])[-1])
            for i in range(3))
        part = reference.part_head(encoder['backbone'].backbone(views[:, 3]))
        negatives = reference.global_queue.queue.clone()
    for name, positive in (('loss_global', key),
                           ('loss_cross_tempo', other_key)):
        total = 0.0
        for q, p, k in zip(query, part, positive):
            nearest = {
                max(range(QUEUE_SIZE), key=lambda n: dot(x, negatives[n]))
                for x in (q, p)
            }
            logits = [dot(q, k) / TEMPERATURE] + [
                dot(q, n) / TEMPERATURE for n in negatives]
            log_z = math.log(sum(math.exp(x) for x in logits))
            chosen = [0] + [1 + n for n in sorted(nearest)]
            total -= sum(logits[j] - log_z for j in chosen) / len(chosen)
        assert losses[name].item() == pytest.approx(total / 3, rel=1e-4), name


def test_the_other_tempo_key_is_enqueued():
    model = build()
    views = tempo_views(num_samples=3)
    queue_before = model.global_queue.queue.clone()
    model.loss(views)
    other_key = model.encode_key(views[:, 2])[1]
    same_key = model.encode_key(views[:, 1])[1]
    torch.testing.assert_close(model.global_queue.queue[:3], other_key)
    assert not torch.allclose(model.global_queue.queue[:3], same_key)
    torch.testing.assert_close(model.global_queue.queue[3:],
                               queue_before[3:])
    assert int(model.global_queue.ptr) == 3


@pytest.mark.parametrize('dense_positive, view', [('same_tempo', 1),
                                                  ('other_tempo', 2)])
def test_snippet_branch_pairs_with_the_chosen_key_view(dense_positive, view):
    model = build(dense=True, dense_positive=dense_positive)
    views = tempo_views(num_samples=3)
    losses = model.loss(views)
    assert losses['loss_dense'].requires_grad
    key_encoder = model.encoder_k.module
    with torch.no_grad():
        snippets = key_encoder['dense_head'](model.encode_key(
            views[:, view])[0])
    torch.testing.assert_close(model.dense_queue.queue[:3],
                               F.normalize(snippets.mean(dim=2), dim=1))
    assert int(model.dense_queue.ptr) == int(model.global_queue.ptr) == 3


def test_train_step_with_dense_head_is_finite_and_moves_the_queues():
    model = build(dense=True)
    optim_wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    data = dict(inputs=list(tempo_views(num_samples=4)),
                data_samples=[ActionDataSample() for _ in range(4)])
    part_before = copy.deepcopy(model.part_head.state_dict())
    motion_before = model.encoder_q['motion_head'].projection.weight.clone()
    log_vars = model.train_step(data, optim_wrapper)
    losses = [log_vars[name] for name in (
        'loss_global', 'loss_cross_tempo', 'loss_tempo_rank', 'loss_part',
        'loss_dense')]
    assert all(torch.isfinite(loss) for loss in losses)
    assert log_vars['loss'].item() == pytest.approx(
        sum(loss.item() for loss in losses), rel=1e-5)
    assert int(model.global_queue.ptr) == int(model.dense_queue.ptr) == 4
    assert not torch.equal(model.part_head.projection[2].weight,
                           part_before['projection.2.weight'])
    if log_vars['loss_tempo_rank'] > 0:
        assert not torch.equal(
            model.encoder_q['motion_head'].projection.weight, motion_before)
    assert 'motion_head.projection.weight' in dict(
        model.encoder_k.module.named_parameters())
    assert not any(name.startswith('part_head')
                   for name, _ in model.encoder_k.module.named_parameters())


def test_refuses_wrong_view_count_and_part_width():
    model = build()
    with pytest.raises(ValueError, match=r'\(N, 4, M, T, V, C\)'):
        model.loss(torch.randn(2, 2, 1, NUM_FRAMES, 25, 3))
    with pytest.raises(ValueError, match='part_head projects to 8'):
        build(part_head=dict(type='BodyPartRelationHead', in_channels=32,
                             out_channels=8))
    with pytest.raises(ValueError, match='dense_positive'):
        build(dense_positive='both')
    assert MODELS.get('RVTCLR') is RVTCLR


@pytest.mark.parametrize('total_frames', [620, 90])
def test_headline_config_trains_one_step_on_generated_babel_data(
        tmp_path, total_frames):
    """configs/snippet_rvtclr_2sagcn_babel.py with base_channels 8 and a
    small queue, its own BABEL pretraining pipeline, two sequences:
    600-frame windows -> four 300-frame views -> 19 snippets. 90-frame
    sequences are padded: each view's mask reaches the model."""
    rng = np.random.default_rng(0)
    names = ['seq_a', 'seq_b']
    save_annotations(
        dict(meta=dict(classes=['walk'], fps=30, layout='nturgb+d'),
             split=dict(train=names, val=[]),
             annotations=[dict(frame_dir=name, total_frames=total_frames,
                               keypoint=rng.normal(
                                   size=(1, total_frames, 25, 3))
                               .astype(np.float32)) for name in names]),
        str(tmp_path / 'babel_pretrain.pkl'))
    cfg = Config.fromfile(str(CONFIGS / 'snippet_rvtclr_2sagcn_babel.py'))
    cfg.model.backbone.backbone.base_channels = 8
    for head in ('global_head', 'motion_head', 'part_head', 'dense_head'):
        cfg.model[head].in_channels = 32
    cfg.model.part_head.hidden_channels = 32
    cfg.model.queue_size = 64
    cfg.train_dataloader.dataset.ann_file = str(tmp_path /
                                                'babel_pretrain.pkl')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    np.random.seed(0)
    torch.manual_seed(0)
    batch = pseudo_collate([dataset[0], dataset[1]])
    assert batch['inputs'][0].shape == (4, 1, 300, 25, 3)
    model = MODELS.build(cfg.model)
    steps = model.view_step_masks(torch.stack(batch['inputs']),
                                  batch['data_samples'])
    if total_frames < 300:  # normal speed: 90 real frames, 2x: 45
        real = {int(mask.sum()) for mask in torch.stack(steps, 1)[0]}
        assert real <= {math.ceil(90 / 8), math.ceil(45 / 8)}
    else:
        assert steps == [None] * 4
    optim_wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    log_vars = model.train_step(batch, optim_wrapper)
    assert torch.isfinite(log_vars['loss'])
    assert 'loss_dense' in log_vars and 'loss_part' in log_vars
    assert int(model.global_queue.ptr) == int(model.dense_queue.ptr) == 2


def test_the_momentum_encoder_is_built_once_with_the_motion_head(
        monkeypatch):
    """The motion head is an encoder head of SkeletonMoCo, so the one key
    encoder copies it: no second ExponentialMovingAverage."""
    from snippet_plugin.models.selfsup import skeleton_moco
    built = []
    real = skeleton_moco.ExponentialMovingAverage

    def counting(module, *args, **kwargs):
        built.append(sorted(module.keys()))
        return real(module, *args, **kwargs)

    monkeypatch.setattr(skeleton_moco, 'ExponentialMovingAverage', counting)
    model = build(dense=True)
    assert built == [['backbone', 'dense_head', 'global_head',
                      'motion_head']]
    query = model.encoder_q['motion_head'].state_dict()
    key = model.encoder_k.module['motion_head'].state_dict()
    assert query.keys() == key.keys()
    assert all(torch.equal(query[k], key[k]) for k in query)


def test_an_encoder_head_may_not_replace_a_built_one():
    with pytest.raises(ValueError, match="encoder_heads: 'global_head' is "
                       'taken'):
        MODELS.build(tiny_moco_cfg(
            'SkeletonMoCo', FEAT_DIM, QUEUE_SIZE, TEMPERATURE,
            encoder_heads=dict(global_head=dict(
                type='GlobalProjectionHead', in_channels=32,
                out_channels=FEAT_DIM))))


# ---- padding ----------------------------------------------------------------


@pytest.mark.parametrize('dense_positive', ['same_tempo', 'other_tempo'])
def test_padding_changes_no_rvtclr_loss_match_or_queue_entry(dense_positive):
    """Each view has its own padding after the tempo resampling; eval mode
    keeps the part head's batch norm off the padded frames."""
    torch.manual_seed(0)
    model = MODELS.build(rvtclr_cfg(
        dense=True, dense_positive=dense_positive,
        backbone=frame_local_backbone())).eval()
    model.mine_neighbours = True
    assert_padding_changes_nothing(model, num_views=4)


@pytest.mark.parametrize('dense_positive, key_view', [('same_tempo', 1),
                                                      ('other_tempo', 2)])
def test_the_matcher_gets_the_frames_of_the_query_and_dense_key_views(
        dense_positive, key_view):
    model = build(dense=True, dense_positive=dense_positive,
                  matcher=dict(type='FrameRecordingMatcherForTests'))
    model.loss(tempo_views(), samples_with_view_frames(3, 4, NUM_FRAMES))
    assert_matcher_got_views(model, 0, key_view, 3, NUM_FRAMES)

"""HiCLR: the joint mask, losses recomputed from the encoders, and one mmengine
training step."""
import copy
import math

import pytest
import torch
from mmengine.optim import OptimWrapper

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from snippet_plugin.models.selfsup import HiCLR, SkeletonMoCo
from helpers import tiny_moco_cfg
from padded_views import (assert_padding_changes_nothing,
                          frame_local_backbone)
from loss_references import reference_matching, softmax_row
from view_frames import assert_matcher_got_views, samples_with_view_frames

FEAT_DIM = 8
QUEUE_SIZE = 10
TEMPERATURE = 0.2
NUM_FRAMES = 16  # levels 16, 8, 4, 2 with down_stages=[2, 5, 8]


def hiclr_cfg(dense=False, model_type='HiCLR', **kwargs):
    """Tiny STGCN (base_channels 8; the last level has 32 channels)."""
    return tiny_moco_cfg(model_type, FEAT_DIM, QUEUE_SIZE, TEMPERATURE,
                         num_snippets=2 if dense else None, **kwargs)


def build(seed=0, **kwargs):
    torch.manual_seed(seed)
    return MODELS.build(hiclr_cfg(**kwargs))


def four_views(num_samples=3, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(num_samples, 4, 1, NUM_FRAMES, 25, 3,
                       generator=generator)


# ---- joint mask ---------------------------------------------------------------


def test_joint_mask_replaces_round_ratio_v_joints_per_frame_with_the_token():
    model = build(mask_ratio=0.2)  # round(0.2 * 25) = 5 joints
    token = torch.tensor([7.0, -8.0, 9.0])
    with torch.no_grad():
        model.mask_token.copy_(token)
    views = torch.randn(4, 2, 6, 25, 3)
    torch.manual_seed(3)
    masked = model.mask_joints(views)
    assert masked.shape == views.shape
    patterns = set()
    for n in range(4):
        for t in range(6):
            persons = []
            for m in range(2):
                is_token = [
                    torch.equal(masked[n, m, t, v], token) for v in range(25)
                ]
                persons.append(tuple(is_token))
                for v in range(25):
                    if not is_token[v]:
                        assert torch.equal(masked[n, m, t, v],
                                           views[n, m, t, v])
            assert sum(persons[0]) == 5
            assert persons[0] == persons[1], 'persons share the joints'
            patterns.add(persons[0])
    assert len(patterns) > 1, 'samples and frames draw their own joints'


def test_mask_token_gradient_counts_the_masked_entries():
    model = build(mask_ratio=0.1)  # round(2.5) = 2 joints (code: int(2.5))
    model.mask_joints(torch.randn(3, 2, 5, 25, 3)).sum().backward()
    # 3 samples x 2 persons x 5 frames x 2 joints, per coordinate
    torch.testing.assert_close(model.mask_token.grad,
                               torch.full((3, ), 60.0))


def test_zero_ratio_leaves_the_views_unchanged():
    views = torch.randn(2, 1, 4, 25, 3)
    assert torch.equal(build(mask_ratio=0.0).mask_joints(views), views)


# ---- the model ---------------------------------------------------------------


def reference_logits(query_encoder, key_encoder, views, masked_view, queue):
    """Logits ``[z.k, z.queue] / τ`` of views 0, 2 and the masked view 3
    (lists of rows), the queue similarities ``z.queue`` of each, and the
    key, by explicit loops."""
    with torch.no_grad():
        embed = [
            query_encoder['global_head'](query_encoder['backbone'](x)[-1])
            for x in (views[:, 0], views[:, 2], masked_view)
        ]
        key = key_encoder['global_head'](key_encoder['backbone'](
            views[:, 1])[-1])
    similarities = [[[float(q @ n) for n in queue] for q in z] for z in embed]
    logits = [[[float(q @ k) / TEMPERATURE] +
               [value / TEMPERATURE for value in row]
               for q, k, row in zip(z, key, rows)]
              for z, rows in zip(embed, similarities)]
    return logits, similarities, key


def reference_losses(query_encoder, key_encoder, views, masked_view, queue):
    """InfoNCE(view 0, key view 1) and the hierarchical KL chain
    0 -> 2 -> 3 with weights 0.5, by explicit loops."""
    logits, _, key = reference_logits(query_encoder, key_encoder, views,
                                      masked_view, queue)
    info_nce = -sum(math.log(softmax_row(row)[0])
                    for row in logits[0]) / len(key)
    hierarchical = 0.5 * (
        reference_matching(torch.tensor(logits[1]), torch.tensor(logits[0]),
                           'kl') +
        reference_matching(torch.tensor(logits[2]), torch.tensor(logits[1]),
                           'kl'))
    return dict(loss_global=info_nce, loss_hierarchical=hierarchical,
                key=key)


def run_recording_the_mask(model, views):
    """``model.loss(views)`` and the masked view 3 it drew."""
    masked_views = []
    mask_joints = model.mask_joints

    def recording_mask_joints(views, frame_mask=None):
        masked_views.append(mask_joints(views, frame_mask))
        return masked_views[-1]

    model.mask_joints = recording_mask_joints
    losses = model.loss(views)
    assert len(masked_views) == 1, 'only view 3 is masked'
    return losses, masked_views[0].detach()


def test_losses_match_hand_recomputation_from_the_encoders():
    model = build()
    with torch.no_grad():
        model.mask_token.copy_(torch.tensor([0.5, -0.5, 2.0]))
    views = four_views()
    queue = model.global_queue.queue.clone()
    query_encoder = copy.deepcopy(model.encoder_q)  # step 0: key = query

    losses, masked_view = run_recording_the_mask(model, views)

    assert set(losses) == {'loss_global', 'loss_hierarchical', 'acc_global',
                           'acc_strong', 'acc_masked'}
    kept = (masked_view == views[:, 3]).all(dim=-1).sum(dim=-1)
    assert (kept == 25 - 2).all(), 'view 3 with 2 of 25 joints masked'
    expected = reference_losses(query_encoder, query_encoder, views,
                                masked_view, queue)
    for name in ('loss_global', 'loss_hierarchical'):
        assert losses[name].item() == pytest.approx(expected[name], rel=1e-4)
    # the normal key view 1 is enqueued
    torch.testing.assert_close(model.global_queue.queue[:3], expected['key'])
    torch.testing.assert_close(model.global_queue.queue[3:], queue[3:])


def test_mining_makes_the_global_loss_a_multi_positive_infonce():
    """With ``mine_neighbours`` on, the queue entry nearest to each of the
    query, strong and masked embeddings joins the key as a positive of
    view 0's InfoNCE: ``-mean_{j in P} log softmax(logits_0)_j`` per sample,
    ``P = {key} ∪ {argmax_n z_i.n, i = 0, 1, 2}``. The hierarchical loss
    does not change."""
    model = build()
    views = four_views(num_samples=4)
    queue = model.global_queue.queue.clone()
    query_encoder = copy.deepcopy(model.encoder_q)
    unmined = copy.deepcopy(model)
    torch.manual_seed(5)
    unmined_losses = unmined.loss(views)
    model.mine_neighbours = True
    torch.manual_seed(5)  # the same joints masked in both runs

    losses, masked_view = run_recording_the_mask(model, views)

    logits, similarities, _ = reference_logits(query_encoder, query_encoder,
                                               views, masked_view, queue)
    expected, sizes = 0.0, []
    for b, row in enumerate(logits[0]):
        positives = {0} | {
            1 + max(range(QUEUE_SIZE), key=rows[b].__getitem__)
            for rows in similarities
        }
        sizes.append(len(positives))
        log_norm = math.log(sum(math.exp(value) for value in row))
        expected -= sum(row[j] - log_norm for j in positives) / len(positives)
    assert max(sizes) > 1, 'some neighbour is mined'
    assert losses['loss_global'].item() == pytest.approx(expected / 4,
                                                         rel=1e-5)
    assert losses['loss_global'].item() != pytest.approx(
        unmined_losses['loss_global'].item(), rel=1e-3)
    assert losses['loss_hierarchical'].item() == pytest.approx(
        unmined_losses['loss_hierarchical'].item(), rel=1e-6)


def test_global_and_dense_losses_are_skeletonmoco_on_views_0_and_1():
    hiclr = build(seed=4, dense=True)
    moco = build(seed=4, dense=True, model_type='SkeletonMoCo')
    views = four_views(seed=2)
    hiclr_losses = hiclr.loss(views)
    moco_losses = moco.loss(views[:, :2])
    for name in ('loss_global', 'loss_dense', 'acc_global', 'acc_dense'):
        assert hiclr_losses[name].item() == pytest.approx(
            moco_losses[name].item(), rel=1e-5), name
    torch.testing.assert_close(hiclr.dense_queue.queue,
                               moco.dense_queue.queue)


def test_mask_token_learns_from_the_hierarchical_loss_only():
    model = build()
    losses = model.loss(four_views())
    losses['loss_global'].backward(retain_graph=True)
    assert model.mask_token.grad is None
    losses['loss_hierarchical'].backward()
    assert model.mask_token.grad.abs().sum() > 0
    assert all(param.grad is None
               for param in model.encoder_k.module.parameters())


def test_one_training_step_gives_finite_losses_and_moves_both_queues():
    model = build(dense=True)
    optim_wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9))
    views = four_views(num_samples=4)
    data = dict(inputs=list(views),
                data_samples=[ActionDataSample() for _ in range(4)])
    token_before = model.mask_token.detach().clone()

    log_vars = model.train_step(data, optim_wrapper)

    assert set(log_vars) == {
        'loss', 'loss_global', 'loss_hierarchical', 'loss_dense',
        'acc_global', 'acc_strong', 'acc_masked', 'acc_dense'
    }
    assert all(math.isfinite(value.item()) for value in log_vars.values())
    assert log_vars['loss'].item() == pytest.approx(
        log_vars['loss_global'].item() +
        log_vars['loss_hierarchical'].item() +
        log_vars['loss_dense'].item(), rel=1e-5)
    assert int(model.global_queue.ptr) == int(model.dense_queue.ptr) == 4
    assert int(model.encoder_k.steps) == 1
    assert not torch.equal(model.mask_token.detach(), token_before)


def test_loss_refuses_two_view_inputs_and_bad_arguments():
    model = build()
    with pytest.raises(ValueError, match=r'\(N, 4, M, T, V, C\)'):
        model(four_views()[:, :2], mode='loss')
    with pytest.raises(ValueError, match='mask_ratio'):
        build(mask_ratio=1.5)
    with pytest.raises(ValueError, match='one weight per'):
        build(hierarchical_weights=[1.0])
    with pytest.raises(ValueError, match="'kl' or 'ce'"):
        build(divergence='l2')


def test_is_registered_and_extracts_query_backbone_levels():
    assert MODELS.get('HiCLR') is HiCLR
    model = build().eval()
    assert isinstance(model, SkeletonMoCo)
    x = torch.randn(2, 1, NUM_FRAMES, 25, 3)
    levels = model(x, mode='tensor')
    assert [level.shape for level in levels] == [(2, 8, 16), (2, 8, 8),
                                                 (2, 16, 4), (2, 32, 2)]


# ---- padding ----------------------------------------------------------------


def test_joint_mask_leaves_padded_frames_untouched():
    model = build(mask_ratio=0.2)
    with torch.no_grad():
        model.mask_token.copy_(torch.tensor([7.0, -8.0, 9.0]))
    views = torch.randn(2, 2, 6, 25, 3)
    views[:, :, 4:] = 0
    frame_mask = (torch.arange(6) < 4).expand(2, -1)
    masked = model.mask_joints(views, frame_mask)
    assert torch.equal(masked[:, :, 4:], views[:, :, 4:])
    changed = (masked[:, :, :4] != views[:, :, :4]).all(-1)  # (N, M, 4, V)
    assert changed.sum(-1).eq(5).all(), '5 joints of every real frame'


def test_padding_changes_no_hiclr_loss_match_or_queue_entry():
    """mask_ratio 0: the joint draws depend on the number of frames."""
    torch.manual_seed(0)
    model = MODELS.build(hiclr_cfg(
        dense=True, mask_ratio=0.0, backbone=frame_local_backbone()))
    assert_padding_changes_nothing(model, num_views=4)


def test_the_matcher_gets_the_frames_of_the_query_and_key_views():
    model = build(dense=True,
                  matcher=dict(type='FrameRecordingMatcherForTests'))
    model.loss(four_views(), samples_with_view_frames(3, 4, NUM_FRAMES))
    assert_matcher_got_views(model, 0, 1, 3, NUM_FRAMES)

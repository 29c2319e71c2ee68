"""The same short views with and without zero padding, and a backbone
without temporal receptive field, for the "padding changes nothing" tests
of the pretraining methods.

A real GCN's temporal convolutions and batch normalisation see the padded
frames next to the real ones; the losses' masking cannot undo that. With
:class:`FrameLocalGCN` (1x1 convolutions only) the features of real frames
are the same with or without padding, so what these tests compare is what
the losses do with the padding.
"""
import copy
from types import SimpleNamespace

import torch
from torch import nn

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from helpers import tiny_moco_cfg

REAL_FRAMES = 16
PADDED_FRAMES = 32
STRIDE = 4  # of FrameLocalGCN's last level: 16 -> 4 steps, 32 -> 8
NUM_SNIPPETS = 2  # of the unpadded model: 2 steps a snippet


@MODELS.register_module(name='FrameLocalGCNForTests', force=True)
class FrameLocalGCN(nn.Module):
    """Three stages of 1x1 convolutions with ReLU, temporal strides 1, 2,
    2: ``(N, M, T, V, C) -> (N*M, 32, ceil(T / 4), V)``, frame by frame.
    Meets :class:`MultiScaleGCN`'s contract (stages at ``gcn``)."""

    def __init__(self, in_channels=3, num_joints=25):
        super().__init__()
        self.in_channels = in_channels
        self.graph = SimpleNamespace(num_node=num_joints)
        self.gcn = nn.ModuleList([
            nn.Sequential(nn.Conv2d(in_channels, 8, 1), nn.ReLU()),
            nn.Sequential(nn.Conv2d(8, 16, 1, stride=(2, 1)), nn.ReLU()),
            nn.Sequential(nn.Conv2d(16, 32, 1, stride=(2, 1)), nn.ReLU()),
        ])

    def forward(self, x):
        num, persons, frames, joints, channels = x.shape
        x = x.permute(0, 1, 4, 2, 3).reshape(num * persons, channels, frames,
                                             joints)
        for stage in self.gcn:
            x = stage(x)
        return x


def frame_local_backbone():
    return dict(type='MultiScaleGCN',
                backbone=dict(type='FrameLocalGCNForTests'))


def frame_local_model(model_type, feat_dim, queue_size, temperature):
    """A SkeletonMoCo-family model (``tiny_moco_cfg``) on
    :class:`FrameLocalGCN` with :data:`NUM_SNIPPETS` snippets, seeded."""
    torch.manual_seed(0)
    return MODELS.build(
        tiny_moco_cfg(model_type, feat_dim, queue_size, temperature,
                      num_snippets=NUM_SNIPPETS,
                      backbone=frame_local_backbone()))


def padded_twin(model):
    """A copy of ``model`` (same weights and queues) whose dense heads pool
    twice as many snippets, so that on the padded views each snippet covers
    the same frames as on the short ones."""
    twin = copy.deepcopy(model)
    for encoder in (twin.encoder_q, twin.encoder_k.module):
        if 'dense_head' in encoder:
            encoder['dense_head'].num_snippets *= 2
    return twin


def short_and_padded_views(num_samples, num_views, seed=0):
    """Short views ``(N, V_n, 2, 16, 25, 3)``; the same zero-padded to 32
    frames; and data samples whose ``frame_mask`` ``(V_n, 32)`` marks the
    padding."""
    generator = torch.Generator().manual_seed(seed)
    short = torch.randn(num_samples, num_views, 2, REAL_FRAMES, 25, 3,
                        generator=generator)
    padded = torch.cat([short, torch.zeros_like(short)], dim=3)
    mask = torch.arange(PADDED_FRAMES) < REAL_FRAMES
    samples = []
    for _ in range(num_samples):
        sample = ActionDataSample()
        sample.set_field(mask.expand(num_views, -1).clone(), 'frame_mask')
        samples.append(sample)
    return short, padded, samples


class RecordingMatcher:
    """Wraps a model's matcher and keeps the matches it returns."""

    def __init__(self, matcher):
        self.matcher = matcher
        self.matches = []

    def match(self, query_feats, key_feats, key_valid=None, **frames):
        self.matches.append(
            self.matcher.match(query_feats, key_feats, key_valid=key_valid,
                               **frames))
        return self.matches[-1]


def losses_short_and_padded(model, num_views, steps=2, seed=0):
    """Run ``steps`` loss steps of ``model`` on short views and of its
    :func:`padded_twin` on the padded ones (same RNG state before each).

    Returns:
        two dicts (short, padded): ``losses`` (list per step), ``matches``
        (list per step, with the dense branch), and the models.
    """
    twin = padded_twin(model)
    runs = []
    for net, padded in ((model, False), (twin, True)):
        if net.with_dense:
            net.matcher = RecordingMatcher(net.matcher)
        torch.manual_seed(seed)
        losses = []
        for step in range(steps):
            short, padded_views, samples = short_and_padded_views(
                3, num_views, seed=seed + step)
            losses.append(net.loss(padded_views, samples) if padded else
                          net.loss(short))
        runs.append(dict(losses=losses, model=net,
                         matches=net.matcher.matches if net.with_dense
                         else None))
    return runs


def assert_padding_changes_nothing(model, num_views, steps=2):
    """Losses, matches and both queues of the short run equal those of the
    padded run; no padded key snippet is ever matched."""
    short, padded = losses_short_and_padded(model, num_views, steps)
    for short_losses, padded_losses in zip(short['losses'],
                                           padded['losses']):
        assert set(short_losses) == set(padded_losses)
        for name in short_losses:
            torch.testing.assert_close(padded_losses[name],
                                       short_losses[name], rtol=1e-5,
                                       atol=1e-5, msg=name)
    torch.testing.assert_close(padded['model'].global_queue.queue,
                               short['model'].global_queue.queue)
    if short['matches'] is not None:
        for short_matches, padded_matches in zip(short['matches'],
                                                 padded['matches']):
            assert torch.equal(padded_matches[:, :NUM_SNIPPETS],
                               short_matches)
            assert padded_matches.max() < NUM_SNIPPETS
        torch.testing.assert_close(padded['model'].dense_queue.queue,
                                   short['model'].dense_queue.queue)

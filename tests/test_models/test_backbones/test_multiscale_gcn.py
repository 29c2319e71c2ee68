"""MultiScaleGCN: levels of MMAction2's STGCN/AAGCN, pooled over joints and
persons, checked against the backbones' own (truncated) forward passes."""
import copy
import math

import pytest
import torch
from mmengine.config import Config
from torch import nn

from mmaction.registry import MODELS
from snippet_plugin.models import MultiScaleGCN
from snippet_plugin.models.backbones.multiscale_gcn import GCN_BACKBONES
from helpers import CONFIGS

GRAPHS = {
    'STGCN': dict(layout='nturgb+d', mode='stgcn_spatial'),
    'AAGCN': dict(layout='nturgb+d', mode='spatial'),
    'AGCN': dict(layout='nturgb+d', mode='spatial'),
    'UNIK': dict(layout='nturgb+d', mode='stgcn_spatial'),
    'HyperGCN': dict(layout='nturgb+d', mode='stgcn_spatial'),
}
BASE = 8


def backbone_cfg(kind, **kwargs):
    return dict(type=kind, graph_cfg=GRAPHS[kind], base_channels=BASE,
                **kwargs)


def reference_level(backbone, x, index):
    """Stage ``index`` output of the backbone's own forward, stopped there,
    averaged over joints then persons: ``(N, C, T_l)``."""
    truncated = copy.deepcopy(backbone)
    truncated.num_stages = index + 1
    return truncated(x).mean(dim=-1).mean(dim=1)


@pytest.mark.parametrize('kind', ['STGCN', 'AAGCN'])
@pytest.mark.parametrize('num_frames', [31, 7])
@pytest.mark.parametrize('down_stages, indices, channels, strides', [
    ([2, 5, 8], (0, 3, 6, 9), [BASE, BASE, 2 * BASE, 4 * BASE], [1, 2, 4, 8]),
    ([5, 8], (3, 6, 9), [BASE, 2 * BASE, 4 * BASE], [1, 2, 4]),
])
def test_default_levels_are_the_last_stage_of_each_resolution(
        kind, num_frames, down_stages, indices, channels, strides):
    torch.manual_seed(0)
    model = MultiScaleGCN(backbone_cfg(kind, down_stages=down_stages)).eval()
    assert model.out_indices == indices
    assert model.out_channels == channels
    assert model.temporal_strides == strides == model.strides
    x = torch.randn(2, 2, num_frames, 25, 3)
    levels = model(x)
    assert len(levels) == len(indices)
    for level, index, channel, stride in zip(levels, indices, channels,
                                             strides):
        assert level.shape == (2, channel, math.ceil(num_frames / stride))
        torch.testing.assert_close(level,
                                   reference_level(model.backbone, x, index))


def test_explicit_out_indices_accept_negative_positions():
    model = MultiScaleGCN(backbone_cfg('STGCN', down_stages=[2, 5, 8]),
                          out_indices=(1, -1)).eval()
    assert model.out_indices == (1, 9)
    assert model.out_channels == [BASE, 4 * BASE]
    assert model.temporal_strides == [2, 8]
    x = torch.randn(1, 2, 16, 25, 3)
    level1, level9 = model(x)
    torch.testing.assert_close(level1, reference_level(model.backbone, x, 1))
    assert level9.shape == (1, 4 * BASE, 2)


@pytest.mark.parametrize('out_indices', [(3, 3), (5, 2), (10, ), ()])
def test_bad_out_indices_are_refused(out_indices):
    with pytest.raises(ValueError, match='out_indices'):
        MultiScaleGCN(backbone_cfg('STGCN'), out_indices=out_indices)


def test_stride_probe_leaves_bn_statistics_and_train_mode_alone():
    model = MultiScaleGCN(backbone_cfg('AAGCN', down_stages=[2, 5, 8]))
    assert all(module.training for module in model.modules())
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    assert norms
    for norm in norms:
        assert int(norm.num_batches_tracked) == 0
        assert not norm.running_mean.any()


def test_forward_hooks_do_not_outlive_the_call():
    model = MultiScaleGCN(backbone_cfg('STGCN'))
    model(torch.randn(1, 1, 12, 25, 3))
    assert all(not stage._forward_hooks for stage in model.stages)


def test_rejects_inputs_that_are_not_n_m_t_v_c():
    model = MultiScaleGCN(backbone_cfg('STGCN'))
    with pytest.raises(ValueError, match=r'\(N, M, T, V, C\)'):
        model(torch.randn(2, 12, 25, 3))


@MODELS.register_module(name='BackboneWithoutStagesForTests', force=True)
class BackboneWithoutStages(nn.Module):
    """Has its blocks in an nn.Sequential called ``blocks``."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(nn.Conv2d(3, 4, 1))


class FlattenStage(nn.Module):
    """A stage that returns ``(N*M, C*T*V)`` instead of ``(N*M, C, T, V)``."""

    def forward(self, x):
        return x.flatten(1)


@MODELS.register_module(name='BackboneWithFlatStagesForTests', force=True)
class BackboneWithFlatStages(nn.Module):

    def __init__(self):
        super().__init__()
        self.in_channels = 3
        self.graph = type('Graph', (), {'num_node': 25})()
        self.gcn = nn.ModuleList([FlattenStage()])


def test_backbone_without_a_stage_list_is_refused_naming_type_and_contract():
    with pytest.raises(TypeError) as error:
        MultiScaleGCN(dict(type='BackboneWithoutStagesForTests'))
    message = str(error.value)
    assert 'BackboneWithoutStages' in message
    assert 'nn.ModuleList at `gcn`' in message
    assert '(N*M, C, T, V)' in message


def test_stage_with_wrong_output_layout_is_refused():
    with pytest.raises(TypeError, match=r'gcn\[0\] returned'):
        MultiScaleGCN(dict(type='BackboneWithFlatStagesForTests'))


def test_unknown_backbone_type_names_the_config_key_and_the_candidates():
    cfg = Config.fromfile(
        str(CONFIGS /
            'skeletonclr_stgcn_babel.py'))
    cfg.model.backbone.backbone.type = 'STGNC'
    with pytest.raises(KeyError) as err:
        MODELS.build(cfg.model)
    message = str(err.value)
    assert "model.backbone.backbone.type='STGNC'" in message
    assert "did you mean 'STGCN'" in message
    assert 'UNIK' in message and 'custom_imports' in message


def test_input_streams_feed_joints_and_present_frame_velocities():
    torch.manual_seed(0)
    model = MultiScaleGCN(
        backbone=backbone_cfg('STGCN', in_channels=6),
        input_streams=('joint', 'velocity'))
    skeletons = torch.randn(1, 1, 5, 25, 3)
    skeletons[:, :, 3:] = 0  # two padded frames
    seen = []
    model.backbone.register_forward_pre_hook(
        lambda module, args: seen.append(args[0].clone()))
    model(skeletons)
    fed = seen[0]
    assert fed.shape == (1, 1, 5, 25, 6)
    torch.testing.assert_close(fed[..., :3], skeletons)
    for t in range(5):
        expected = (skeletons[0, 0, t] - skeletons[0, 0, t - 1]
                    if t in (1, 2) else torch.zeros(25, 3))
        torch.testing.assert_close(fed[0, 0, t, :, 3:], expected)


def test_bone_stream_is_child_minus_parent_over_the_graph():
    model = MultiScaleGCN(backbone=backbone_cfg('STGCN', in_channels=3),
                          input_streams=('bone', ))
    skeletons = torch.randn(1, 1, 2, 25, 3)
    bones = model.stack_streams(skeletons)
    inward = model.backbone.graph.inward
    children = {child for child, _ in inward}
    for child, parent in inward:
        torch.testing.assert_close(
            bones[..., child, :],
            skeletons[..., child, :] - skeletons[..., parent, :])
    for joint in set(range(25)) - children:
        assert bones[..., joint, :].abs().sum() == 0


def test_streams_that_do_not_fit_the_backbone_input_are_refused():
    model = MultiScaleGCN(backbone=backbone_cfg('STGCN', in_channels=3),
                          input_streams=('joint', 'velocity'))
    with pytest.raises(ValueError, match='in_channels=3'):
        model(torch.randn(1, 1, 8, 25, 3))
    with pytest.raises(ValueError, match='streams must be distinct'):
        MultiScaleGCN(backbone=backbone_cfg('STGCN'),
                      input_streams=('joint', 'motion'))


# ---- temporal padding -------------------------------------------------------


def still_pose(num_frames=40, seed=0):
    """One random pose held for ``num_frames`` frames ``(1, 1, T, 25, 3)``."""
    pose = torch.randn(1, 1, 1, 25, 3,
                       generator=torch.Generator().manual_seed(seed))
    return pose.expand(-1, -1, num_frames, -1, -1).contiguous()


def padding_backbone_cfg(kind):
    """T/8 layout; ``data_bn_type='VC'`` takes any person count (AAGCN's
    default ``'MVC'`` needs exactly 2)."""
    return backbone_cfg(kind, down_stages=[2, 5, 8], data_bn_type='VC')


def build_with_padding(kind, seed=0, **kwargs):
    torch.manual_seed(seed)
    return MultiScaleGCN(padding_backbone_cfg(kind), **kwargs)


def spread_over_time(level):
    """Largest deviation of a level ``(N, C, T_l)`` from its first step,
    relative to the level's scale."""
    return float((level - level[..., :1]).abs().max() /
                 level.abs().max().clamp_min(1e-12))


@pytest.mark.parametrize('kind', GCN_BACKBONES)
@pytest.mark.parametrize('padding', ['replicate', 'reflect'])
def test_edge_padding_gives_a_still_pose_the_same_features_everywhere(
        kind, padding):
    """Every temporal convolution of each GCN pads from the sequence, so a
    still pose looks the same at every step of every level; with zeros the
    deepest level (receptive field beyond the 40 frames) sees the edges."""
    x = still_pose()
    padded = build_with_padding(kind, temporal_padding=padding).eval()
    zeros = build_with_padding(kind).eval()
    with torch.no_grad():
        for level in padded(x):
            assert spread_over_time(level) < 1e-5
        assert spread_over_time(zeros(x)[-1]) > 1e-3


@pytest.mark.parametrize('kind', GCN_BACKBONES)
def test_the_padding_reaches_every_temporal_convolution_and_nothing_else(
        kind):
    model = build_with_padding(kind, temporal_padding='replicate')
    temporal = model.temporal_convolutions()
    convs = [m for m in model.backbone.modules()
             if isinstance(m, (nn.Conv1d, nn.Conv2d))]
    # one temporal convolution per stage at least (the TCN), kernel > 1
    assert len(temporal) >= len(model.stages)
    for conv in convs:
        expected = 'replicate' if conv in temporal else 'zeros'
        assert conv.padding_mode == expected
        if isinstance(conv, nn.Conv2d):  # stages see (N, C, T, V)
            assert (conv in temporal) == (conv.kernel_size[0] > 1)
    attention = [m for m in model.modules() if hasattr(m, 'conv_ta')]
    assert bool(attention) == (kind == 'AAGCN')
    for unit in attention:  # temporal attention over T, spatial over V
        assert unit.conv_ta in temporal and unit.conv_sa not in temporal


def test_default_zero_padding_leaves_weights_and_outputs_bit_identical():
    """The default, ``'zeros'`` and another mode build the same weights from
    the same seed (the backbone alone too), and the default computes what
    the unwrapped modules compute, bit for bit."""
    x = torch.randn(2, 1, 37, 25, 3)
    for kind in GCN_BACKBONES:
        default = build_with_padding(kind).eval()
        zeros = build_with_padding(kind, temporal_padding='zeros').eval()
        replicate = build_with_padding(kind,
                                       temporal_padding='replicate').eval()
        torch.manual_seed(0)
        bare = MODELS.build(padding_backbone_cfg(kind))
        assert all(m.padding_mode == 'zeros' for m in default.modules()
                   if isinstance(m, nn.Conv2d))
        states = [m.state_dict() for m in (default, zeros, replicate)]
        states.append({f'backbone.{k}': v
                       for k, v in bare.state_dict().items()})
        for state in states[1:]:
            assert state.keys() == states[0].keys()
            assert all(torch.equal(state[k], v)
                       for k, v in states[0].items())
        with torch.no_grad():
            for a, b in zip(default(x), zeros(x)):
                assert torch.equal(a, b)
            last = default(x)[-1]
            assert torch.equal(last, bare.eval()(x).mean(-1).mean(1))
            assert not torch.allclose(last, replicate(x)[-1])


def test_unknown_temporal_padding_is_refused():
    with pytest.raises(ValueError, match='temporal_padding'):
        MultiScaleGCN(backbone_cfg('STGCN'), temporal_padding='circular')

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
from helpers import CONFIGS

GRAPHS = {
    'STGCN': dict(layout='nturgb+d', mode='stgcn_spatial'),
    'AAGCN': dict(layout='nturgb+d', mode='spatial'),
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

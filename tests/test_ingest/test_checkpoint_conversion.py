"""Importing torchlight-style ST-GCN / 2s-AGCN encoders (AimCLR, HiCLR,
RVTCLR, SnipCLR checkpoints) into MultiScaleGCN backbones."""
import importlib.util

import pytest
import torch
from torch import nn

import snippet_plugin  # noqa: F401
from mmaction.registry import MODELS
from snippet_plugin.models import backbone_state_from_checkpoint
from snippet_plugin.utils.checkpoint import load_checkpoint_file
from snippet_plugin.ingest.checkpoint_conversion import (ConversionError,
                                                        agcn_ntu_graph,
                                                        convert_encoder)
from helpers import REPO

V, C = 25, 3


class TorchlightStGcnBlock(nn.Module):
    """The ``st_gcn`` block of the torchlight repositories (same names)."""

    def __init__(self, c_in, c_out, stride, residual=True, subsets=3):
        super().__init__()
        self.gcn = nn.Module()
        self.gcn.conv = nn.Conv2d(c_in, c_out * subsets, 1)
        self.tcn = nn.Sequential(
            nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, (9, 1), (stride, 1), (4, 0)),
            nn.BatchNorm2d(c_out), nn.Dropout(0))
        self.has_residual = residual
        self.identity = residual and c_in == c_out and stride == 1
        if residual and not self.identity:
            self.residual = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, (stride, 1)), nn.BatchNorm2d(c_out))

    def forward(self, x, graph):
        if not self.has_residual:
            res = 0
        else:
            res = x if self.identity else self.residual(x)
        n, _, t, v = x.shape
        y = self.gcn.conv(x).view(n, graph.size(0), -1, t, v)
        y = torch.einsum('nkctv,kvw->nctw', y, graph)
        return torch.relu(self.tcn(y) + res)


class TorchlightStGcn(nn.Module):
    """AimCLR's ``net/st_gcn.py`` encoder layout, strides at layers 4, 7."""

    def __init__(self, hidden=8, subsets=3):
        super().__init__()
        self.register_buffer('A', torch.rand(subsets, V, V))
        self.data_bn = nn.BatchNorm1d(C * V)
        h = hidden
        plan = [(C, h, 1), (h, h, 1), (h, h, 1), (h, h, 1), (h, 2 * h, 2),
                (2 * h, 2 * h, 1), (2 * h, 2 * h, 1), (2 * h, 4 * h, 2),
                (4 * h, 4 * h, 1), (4 * h, 4 * h, 1)]
        self.st_gcn_networks = nn.ModuleList(
            TorchlightStGcnBlock(a, b, s, residual=i > 0)
            for i, (a, b, s) in enumerate(plan))
        self.edge_importance = nn.ParameterList(
            nn.Parameter(torch.rand(subsets, V, V)) for _ in plan)
        self.fc = nn.Linear(4 * h, 16)

    def forward(self, x):
        """``(N, C, T, V, M)`` -> features ``(N*M, C_out, T_out, V)``."""
        n, c, t, v, m = x.shape
        x = x.permute(0, 4, 3, 1, 2).reshape(n * m, v * c, t)
        x = self.data_bn(x).view(n, m, v, c, t).permute(0, 1, 3, 4, 2)
        x = x.reshape(n * m, c, t, v)
        for block, importance in zip(self.st_gcn_networks,
                                     self.edge_importance):
            x = block(x, self.A * importance)
        return x


class AgcnUnit(nn.Module):
    """2s-AGCN's ``TCN_GCN_unit`` parameters (names and shapes only)."""

    def __init__(self, c_in, c_out, stride, residual=True):
        super().__init__()
        self.gcn1 = nn.Module()
        self.gcn1.PA = nn.Parameter(torch.randn(3, V, V))
        for name, width in (('conv_a', c_out // 4), ('conv_b', c_out // 4),
                            ('conv_d', c_out)):
            setattr(self.gcn1, name, nn.ModuleList(
                nn.Conv2d(c_in, width, 1) for _ in range(3)))
        self.gcn1.bn = nn.BatchNorm2d(c_out)
        if c_in != c_out:
            self.gcn1.down = nn.Sequential(nn.Conv2d(c_in, c_out, 1),
                                           nn.BatchNorm2d(c_out))
        self.tcn1 = nn.Module()
        self.tcn1.conv = nn.Conv2d(c_out, c_out, (9, 1), (stride, 1))
        self.tcn1.bn = nn.BatchNorm2d(c_out)
        if residual and (c_in != c_out or stride != 1):
            self.residual = nn.Module()
            self.residual.conv = nn.Conv2d(c_in, c_out, 1, (stride, 1))
            self.residual.bn = nn.BatchNorm2d(c_out)


class Agcn(nn.Module):
    """2s-AGCN ``Model`` layout (``l1..l10``), strides at l2, l5, l8."""

    def __init__(self, hidden=8, persons=1):
        super().__init__()
        self.data_bn = nn.BatchNorm1d(persons * C * V)
        h = hidden
        plan = [(C, h, 1), (h, h, 2), (h, h, 1), (h, h, 1), (h, 2 * h, 2),
                (2 * h, 2 * h, 1), (2 * h, 2 * h, 1), (2 * h, 4 * h, 2),
                (4 * h, 4 * h, 1), (4 * h, 4 * h, 1)]
        for i, (a, b, s) in enumerate(plan, start=1):
            setattr(self, f'l{i}', AgcnUnit(a, b, s, residual=i > 1))
        self.fc = nn.Linear(4 * h, 16)


def randomized(module):
    """``module`` with every parameter and BN statistic random."""
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if tensor.is_floating_point():
                values = torch.rand_like(tensor) + 0.5 if name.endswith(
                    'running_var') else torch.randn_like(tensor) * 0.3
                tensor.copy_(values)
    return module.eval()


def moco_state(encoder, prefix='encoder_q.'):
    """A MoCo checkpoint state: query + key encoder, queue, pointer."""
    state = {prefix + k: v for k, v in encoder.state_dict().items()}
    state.update({prefix.replace('_q', '_k') + k: v.clone()
                  for k, v in encoder.state_dict().items()})
    state['queue'] = torch.randn(16, 32)
    state['queue_ptr'] = torch.zeros(1, dtype=torch.long)
    return state


def stgcn_target_cfg(base=8, down_stages=(5, 8)):
    return dict(
        type='MultiScaleGCN',
        backbone=dict(type='STGCN', graph_cfg=dict(layout='nturgb+d',
                                                   mode='stgcn_spatial'),
                      in_channels=C, base_channels=base,
                      down_stages=list(down_stages), inflate_stages=[5, 8]))


def stgcn_target(base=8, down_stages=(5, 8)):
    return MODELS.build(stgcn_target_cfg(base, down_stages))


def aagcn_target(base=8):
    return MODELS.build(dict(
        type='MultiScaleGCN',
        backbone=dict(type='AAGCN', graph_cfg=dict(layout='nturgb+d',
                                                   mode='spatial'),
                      in_channels=C, base_channels=base, data_bn_type='VC',
                      down_stages=[2, 5, 8], inflate_stages=[5, 8])))


def test_stgcn_tensors_map_one_to_one_and_the_forward_is_unchanged():
    torch.manual_seed(0)
    source = randomized(TorchlightStGcn())
    checkpoint = {'state_dict': moco_state(source)}
    target = stgcn_target()
    conversion = convert_encoder(checkpoint, 'stgcn', target.state_dict())
    src = source.state_dict()
    got = conversion.state_dict
    for i in range(10):
        pairs = {'gcn.conv.weight': f'st_gcn_networks.{i}.gcn.conv.weight',
                 'gcn.bn.running_var': f'st_gcn_networks.{i}.tcn.0.'
                 'running_var',
                 'tcn.conv.weight': f'st_gcn_networks.{i}.tcn.2.weight',
                 'tcn.bn.bias': f'st_gcn_networks.{i}.tcn.3.bias',
                 'gcn.PA': f'edge_importance.{i}', 'gcn.A': 'A'}
        for ours, theirs in pairs.items():
            assert torch.equal(got[f'backbone.gcn.{i}.{ours}'], src[theirs])
    assert torch.equal(got['backbone.gcn.4.residual.conv.weight'],
                       src['st_gcn_networks.4.residual.0.weight'])
    assert torch.equal(got['backbone.data_bn.running_mean'],
                       src['data_bn.running_mean'])
    assert conversion.missing == []
    assert conversion.dropped == ['encoder_q.fc.bias', 'encoder_q.fc.weight']

    target.load_state_dict(conversion.state_dict, strict=True)
    target.eval()
    x = torch.randn(2, 2, 20, V, C)  # (N, M, T, V, C)
    with torch.no_grad():
        ours = target.backbone(x)  # (N, M, C, T', V)
        reference = source(x.permute(0, 4, 2, 3, 1))  # (N*M, C, T', V)
    torch.testing.assert_close(ours.flatten(0, 1), reference,
                               rtol=1e-4, atol=1e-5)


def test_stgcn_stride_layout_difference_is_reported_as_missing_keys():
    torch.manual_seed(1)
    source = randomized(TorchlightStGcn())
    target = stgcn_target(down_stages=(2, 5, 8))  # paper layout: stride at 2
    conversion = convert_encoder(moco_state(source), 'stgcn',
                                 target.state_dict())
    # Stage 2 strides in the target, so it has a residual conv; the
    # source's layer 1 has an identity residual.
    assert conversion.missing == [
        f'backbone.gcn.1.residual.{m}.{e}' for m, entries in
        (('bn', ('bias', 'num_batches_tracked', 'running_mean',
                 'running_var', 'weight')), ('conv', ('bias', 'weight')))
        for e in entries
    ]


def test_agcn_graph_is_the_2sagcn_ntu_graph():
    graph = agcn_ntu_graph()
    assert torch.equal(graph[0], torch.eye(V))
    # inward: child 2 (index 1) -> parent 21 (index 20), one parent each
    assert graph[1][20, 1] == 1 and graph[1][:, 1].sum() == 1
    # hand tip 22 (index 21) hangs off joint 23 (index 22), not the hand
    assert graph[1][22, 21] == 1 and graph[1][7, 21] == 0
    # outward: spine shoulder (index 20) has 4 children -> 1/4 each
    assert graph[2][1, 20] == 0.25 and graph[2][:, 20].sum() == 1


@pytest.mark.parametrize('wrap, prefix, persons', [
    (lambda s: {'state_dict': s}, 'encoder_q.agcn.', 1),  # SnipCLR
    (lambda s: {'model': {'module.' + k: v for k, v in s.items()}},
     'encoder_q.', 2),  # DataParallel, two-person data_bn
])
def test_2sagcn_tensors_map_with_the_documented_transforms(
        wrap, prefix, persons):
    torch.manual_seed(2)
    source = randomized(Agcn(persons=persons))
    target = aagcn_target()
    conversion = convert_encoder(wrap(moco_state(source, prefix)), '2sagcn',
                                 target.state_dict())
    src, got = source.state_dict(), conversion.state_dict
    graph = agcn_ntu_graph()
    for number in range(1, 11):
        ours, theirs = f'backbone.gcn.{number - 1}.', f'l{number}.'
        torch.testing.assert_close(got[ours + 'gcn.A'],
                                   graph + src[theirs + 'gcn1.PA'])
        for j in range(3):
            for branch in ('conv_a', 'conv_b', 'conv_d'):
                assert torch.equal(
                    got[f'{ours}gcn.{branch}.{j}.weight'],
                    src[f'{theirs}gcn1.{branch}.{j}.weight'])
        assert torch.equal(got[ours + 'gcn.bn.running_mean'],
                           src[theirs + 'gcn1.bn.running_mean'])
        assert torch.equal(got[ours + 'tcn.conv.weight'],
                           src[theirs + 'tcn1.conv.weight'])
    assert torch.equal(got['backbone.gcn.1.residual.conv.weight'],
                       src['l2.residual.conv.weight'])
    assert torch.equal(got['backbone.gcn.4.gcn.down.1.weight'],
                       src['l5.gcn1.down.1.weight'])
    assert torch.equal(got['backbone.data_bn.running_var'],
                       src['data_bn.running_var'][:V * C])
    assert any('kept person 0' in n for n in conversion.notes) == (
        persons == 2)
    # What 2s-AGCN lacks keeps MMAction2's init: alpha, attention, and
    # MMAction2's top-level graph buffer.
    assert 'backbone.A' in conversion.missing
    left = {k.split('.gcn.')[-1].split('.')[0] for k in conversion.missing
            if k != 'backbone.A'}
    assert left == {'alpha', 'conv_ta', 'conv_sa', 'fc1c', 'fc2c'}
    target.load_state_dict(conversion.state_dict, strict=False)
    assert torch.equal(target.state_dict()['backbone.gcn.7.tcn.bn.weight'],
                       src['l8.tcn1.bn.weight'])


def test_a_checkpoint_matching_nothing_is_refused():
    checkpoint = {'state_dict': {'encoder_q.layer1.weight': torch.ones(2)}}
    with pytest.raises(ConversionError, match="no stgcn encoder found.*"
                       r"\['encoder_q.layer1.weight'\]"):
        convert_encoder(checkpoint, 'stgcn', stgcn_target().state_dict())
    with pytest.raises(ConversionError, match='no 2sagcn encoder found'):
        convert_encoder(checkpoint, '2sagcn')


def test_weights_that_do_not_fit_the_target_are_refused_by_name():
    source = randomized(TorchlightStGcn(hidden=16))
    with pytest.raises(ConversionError) as err:
        convert_encoder(moco_state(source), 'stgcn',
                        stgcn_target(base=8).state_dict())
    assert ('backbone.gcn.0.gcn.conv.weight (from encoder_q.st_gcn_networks.'
            '0.gcn.conv.weight): shape (48, 3, 1, 1), the target has '
            '(24, 3, 1, 1)') in str(err.value)


def test_unik_says_why_it_is_not_available():
    with pytest.raises(NotImplementedError, match='UNIK backbone'):
        convert_encoder({'x': torch.ones(1)}, 'unik')


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'convert_checkpoint', str(REPO / 'tools' / 'convert_checkpoint.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_writes_a_checkpoint_the_safe_loader_maps_to_the_backbone(
        tmp_path, capsys):
    torch.manual_seed(3)
    source = randomized(TorchlightStGcn())
    src = tmp_path / 'aimclr.pth'
    torch.save(moco_state(source), src)
    config = tmp_path / 'model.py'
    config.write_text(
        "model = dict(backbone=dict(type='MultiScaleGCN', backbone=dict("
        "type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_"
        "spatial'), in_channels=3, base_channels=8, down_stages=[5, 8], "
        "inflate_stages=[5, 8])))\n")
    dst = tmp_path / 'converted.pth'
    load_tool().main([str(src), str(dst), '--backbone', 'stgcn',
                      '--config', str(config)])
    # data_bn 5 + 10 layers x (conv 2 + BN 5 + conv 2 + BN 5 + gcn.A +
    # gcn.PA = 16) + 2 residual convs x (2 + 5) = 179
    assert 'converted 179 tensors' in capsys.readouterr().out
    checkpoint = load_checkpoint_file(str(dst))
    assert checkpoint['meta']['source_backbone'] == 'stgcn'
    assert checkpoint['meta']['dropped_source_keys'] == [
        'encoder_q.fc.bias', 'encoder_q.fc.weight']
    localizer = MODELS.build(dict(
        type='SkeletonLocalizer', backbone=stgcn_target_cfg(),
        head=dict(type='FramewiseLocalizationHead', num_classes=4),
        pretrained=str(dst)))
    localizer.init_weights()  # random init, then the converted backbone
    ours = localizer.backbone.backbone.gcn
    assert torch.equal(ours[9].tcn.conv.weight,
                       source.st_gcn_networks[9].tcn[2].weight)
    assert torch.equal(ours[3].gcn.PA, source.edge_importance[3])
    state = backbone_state_from_checkpoint(
        checkpoint, list(localizer.backbone.state_dict()))
    assert len(state) == 179

"""Importing torchlight-style ST-GCN / 2s-AGCN encoders (AimCLR, HiCLR,
RVTCLR, SnipCLR checkpoints) into MultiScaleGCN backbones."""
import pytest
import torch

import snippet_plugin  # noqa: F401
from mmaction.registry import MODELS
from snippet_plugin.ingest.checkpoint_conversion import (ConversionError,
                                                        agcn_ntu_graph,
                                                        convert_encoder)
from torchlight_encoders import (Agcn, C, TorchlightStGcn, V, moco_state,
                                 randomized, stgcn_target_cfg)


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

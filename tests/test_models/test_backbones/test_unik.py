"""UNIK: attention, dependency matrices and aggregation checked against
brute-force loops; joint-permutation equivariance of the attention part;
the graph config supplies the joint count only."""
import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.models.backbones.unik import DependencyAggregation

GRAPH = dict(layout='nturgb+d', mode='stgcn_spatial')


def small_unit(**kwargs):
    torch.manual_seed(0)
    return DependencyAggregation(in_channels=2, out_channels=4, num_joints=3,
                                 num_heads=2, embed_ratio=2, **kwargs).eval()


def brute_force_attention(unit, x):
    """``S[n, h, u, v] = softmax_v(sum_{c, t} theta_h[c, t, u] phi_h[c, t, v]
    / (C_e T))`` with explicit loops."""
    num_samples, _, frames, joints = x.shape
    heads, embed = unit.num_heads, unit.embed_channels
    theta, phi = unit.theta(x), unit.phi(x)
    out = torch.zeros(num_samples, heads, joints, joints)
    for n in range(num_samples):
        for h in range(heads):
            for u in range(joints):
                logits = torch.zeros(joints)
                for v in range(joints):
                    for c in range(embed):
                        for t in range(frames):
                            logits[v] += (theta[n, h * embed + c, t, u] *
                                          phi[n, h * embed + c, t, v])
                out[n, h, u] = torch.softmax(logits / (embed * frames), 0)
    return out


def test_attention_matches_the_formula_and_is_row_stochastic():
    unit = small_unit()
    x = torch.randn(2, 2, 4, 3)
    with torch.no_grad():
        attention = unit.attention(x)
        torch.testing.assert_close(attention,
                                   brute_force_attention(unit, x))
        assert (attention >= 0).all()
        torch.testing.assert_close(attention.sum(-1), torch.ones(2, 2, 3))
        torch.testing.assert_close(unit.dependency(x) - attention,
                                   unit.dependency_weight.expand(2, -1, -1,
                                                                 -1))


def test_aggregation_matches_per_head_loops():
    unit = small_unit()
    x = torch.randn(2, 2, 4, 3)
    with torch.no_grad():
        dependency = unit.dependency(x)
        weight = unit.project.weight[:, :, 0, 0]  # (C', H * C)
        mixed = torch.zeros(2, 4, 4, 3)
        for h in range(2):
            for u in range(3):
                gathered = sum(dependency[:, h, u, v, None, None] * x[..., v]
                               for v in range(3))  # (N, C, T)
                mixed[..., u] += torch.einsum(
                    'oc,nct->not', weight[:, 2 * h:2 * h + 2], gathered)
        mixed += unit.project.bias[None, :, None, None]
        expected = torch.relu(unit.bn(mixed) + unit.down(x))
        torch.testing.assert_close(unit(x), expected)


def test_dependency_weights_and_attention_are_learnt():
    model = MODELS.build(dict(type='UNIK', graph_cfg=GRAPH, base_channels=8))
    model(torch.randn(2, 1, 16, 25, 3)).square().mean().backward()
    for stage in model.gcn:
        spatial = stage.spatial
        for param in (spatial.dependency_weight, spatial.theta.weight,
                      spatial.phi.weight):
            assert param.grad is not None
            assert param.grad.abs().sum() > 0


@pytest.mark.parametrize('zero_weights, equivariant', [(True, True),
                                                       (False, False)])
def test_permuting_joints_permutes_outputs_only_without_free_weights(
        zero_weights, equivariant):
    """Attention, 1x1/temporal convolutions and per-joint batch norm treat
    joints alike, so with ``W = 0`` the network commutes with any joint
    permutation; the free matrices ``W`` tie weights to joint identities."""
    torch.manual_seed(0)
    model = MODELS.build(dict(type='UNIK', graph_cfg=GRAPH,
                              base_channels=8)).eval()
    for stage in model.gcn:
        stage.spatial.bn.weight.data.fill_(1.0)  # undo the 1e-6 init scale
        if zero_weights:
            stage.spatial.dependency_weight.data.zero_()
    x = torch.randn(1, 1, 12, 25, 3)
    perm = torch.randperm(25)
    with torch.no_grad():
        permuted_out = model(x[:, :, :, perm])
        out_permuted = model(x)[..., perm]
    close = torch.allclose(permuted_out, out_permuted, atol=1e-5)
    assert close == equivariant


def test_graph_config_only_sets_the_joint_count():
    outputs = []
    for mode in ('stgcn_spatial', 'spatial'):
        torch.manual_seed(0)
        model = MODELS.build(dict(type='UNIK', base_channels=8,
                                  graph_cfg=dict(layout='nturgb+d',
                                                 mode=mode))).eval()
        assert model.graph.num_node == 25
        with torch.no_grad():
            outputs.append(model(torch.ones(1, 1, 8, 25, 3)))
    torch.testing.assert_close(outputs[0], outputs[1])
    coco = MODELS.build(dict(type='UNIK', base_channels=8,
                             graph_cfg=dict(layout='coco', mode='spatial')))
    assert coco(torch.randn(1, 1, 8, 17, 3)).shape == (1, 1, 32, 2, 17)


def test_num_heads_is_a_block_option():
    model = MODELS.build(dict(type='UNIK', graph_cfg=GRAPH, base_channels=8,
                              num_heads=5))
    assert all(stage.spatial.num_heads == 5 for stage in model.gcn)
    assert model.gcn[0].spatial.dependency_weight.shape == (5, 25, 25)

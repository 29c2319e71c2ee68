"""HyperGCN: hyper-graph normalisation and k-NN incidence on hand-worked
cases, the virtual-connection graph, and the virtual joints (hidden from
the output, reached by gradients, linked to every joint)."""
import math

import torch

from mmaction.registry import MODELS
from snippet_plugin.models.backbones.hypergcn import (HyperGraphConv,
                                                      knn_incidence,
                                                      normalized_hypergraph,
                                                      virtual_skeleton_graph)

GRAPH = dict(layout='nturgb+d', mode='stgcn_spatial')


def test_normalized_hypergraph_on_a_hand_worked_case():
    # 3 vertices, 2 hyperedges: e0 = {v0, v1}, e1 = {v1, v2}; w = (2, -1).
    # d(e) = (2, 2); d(v) = sum_e H |w| = (2, 3, 1).
    # G[u, v] = sum_e H[u, e] w_e H[v, e] / (d(u) d(e)).
    incidence = torch.tensor([[1., 0.], [1., 1.], [0., 1.]])
    weights = torch.tensor([2., -1.])
    expected = torch.tensor([[2 / 4, 2 / 4, 0.],
                             [2 / 6, (2 - 1) / 6, -1 / 6],
                             [0., -1 / 2, -1 / 2]])
    torch.testing.assert_close(normalized_hypergraph(incidence, weights),
                               expected, atol=1e-5, rtol=1e-5)


def test_positive_weights_give_a_random_walk_operator():
    """Rows of ``D_v^-1 H W D_e^-1 H^T`` sum to 1 when all ``w > 0``."""
    torch.manual_seed(0)
    incidence = torch.rand(2, 3, 6, 6)
    weights = torch.rand(2, 3, 6) + 0.1
    operator = normalized_hypergraph(incidence, weights)
    torch.testing.assert_close(operator.sum(-1), torch.ones(2, 3, 6))


def test_knn_incidence_on_points_of_a_line():
    """Each point joins the hyperedges of its 2 nearest points (itself at
    distance 0 and its nearest neighbour at distance d), weighted by
    softmax(-(0, d)) = (1, exp(-d)) / (1 + exp(-d))."""
    points = torch.tensor([[0.], [1.], [3.], [7.]])

    def pair(d):
        return 1 / (1 + math.exp(-d)), math.exp(-d) / (1 + math.exp(-d))

    expected = torch.zeros(4, 4)
    for point, (neighbour, distance) in enumerate([(1, 1), (0, 1), (1, 2),
                                                   (2, 4)]):
        expected[point, point], expected[point, neighbour] = pair(distance)
    torch.testing.assert_close(knn_incidence(points, k=2), expected)


def test_virtual_joints_connect_to_every_joint():
    skeleton = torch.tensor([[1., 1., 0.], [1., 1., 1.], [0., 1., 1.]])
    graph = virtual_skeleton_graph(skeleton, num_virtual=2)
    expected = torch.tensor([[1., 1., 0., 1., 1.],
                             [1., 1., 1., 1., 1.],
                             [0., 1., 1., 1., 1.],
                             [1., 1., 1., 1., 0.],
                             [1., 1., 1., 0., 1.]])
    torch.testing.assert_close(graph, expected)
    unit = HyperGraphConv(4, 4, skeleton, num_virtual_joints=2,
                          num_heads=2)
    operator = unit.skeleton_operator()
    torch.testing.assert_close(operator, (expected / expected.sum(
        -1, keepdim=True)).expand(2, -1, -1), atol=1e-5, rtol=1e-5)


def test_skeleton_only_forward_matches_explicit_aggregation():
    """With ``alpha = 0`` the unit is ``ReLU(BN(A conv(X + virtual))[real]
    + down(X))``; checked with per-vertex sums."""
    torch.manual_seed(0)
    skeleton = torch.tensor([[1., 1., 0.], [1., 1., 1.], [0., 1., 1.]])
    unit = HyperGraphConv(4, 6, skeleton, num_virtual_joints=2,
                          num_heads=2).eval()
    unit.alpha.data.fill_(-1.0)  # relu(alpha) = 0
    x = torch.randn(2, 4, 5, 3)
    with torch.no_grad():
        vertices = torch.cat(
            [x, unit.virtual_joints[None, :, None].expand(2, 4, 5, 2)], -1)
        features = unit.conv(vertices)  # (N, 6, T, 5)
        operator = unit.skeleton_operator()  # (2 heads, 5, 5)
        mixed = torch.zeros(2, 6, 5, 3)
        for channel in range(6):
            head = channel // 3
            for u in range(3):
                mixed[:, channel, :, u] = sum(
                    operator[head, u, v] * features[:, channel, :, v]
                    for v in range(5))
        expected = torch.relu(unit.bn(mixed) + unit.down(x))
        torch.testing.assert_close(unit(x), expected)


def test_virtual_joints_are_hidden_learnt_and_reach_every_joint():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='HyperGCN', graph_cfg=GRAPH,
                              base_channels=8, num_virtual_joints=3))
    out = model(torch.randn(2, 1, 16, 25, 3))
    assert out.shape == (2, 1, 32, 4, 25)
    out.square().mean().backward()
    units = [module for module in model.modules()
             if isinstance(module, HyperGraphConv)]
    assert len(units) == 10
    for unit in units:
        assert unit.virtual_joints.shape[1] == 3
        assert torch.isfinite(unit.virtual_joints.grad).all()
        assert unit.virtual_joints.grad.abs().sum() > 0
    unit = units[3].eval()
    unit.bn.weight.data.fill_(1.0)  # undo the 1e-6 init scale
    x = torch.randn(1, 8, 6, 25)
    with torch.no_grad():
        before = unit(x)
        unit.virtual_joints.data += 1.0
        after = unit(x)
    changed_joints = (before - after).abs().amax(dim=(0, 1, 2)) > 0
    assert before.shape == (1, 8, 6, 25)
    assert changed_joints.all()

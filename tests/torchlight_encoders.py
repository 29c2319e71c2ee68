"""Torchlight-style encoders as the AimCLR, HiCLR, RVTCLR and SnipCLR
repositories define them (ST-GCN with the same parameter names, 2s-AGCN's
parameter layout), random weights and MoCo checkpoint states of them: what the
checkpoint conversion converts from."""
import torch
from torch import nn

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

"""UNIK and HyperGCN, built on SkeletonGCNBase, are drop-in replacements for
MMAction2's STGCN: same constructor, same stage layout (output shapes and
MultiScaleGCN levels equal to STGCN's for the same arguments).
tests/test_configs/test_quickstart.py trains the quick starts with each
backbone."""
import math

import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.models import MultiScaleGCN

GRAPH = dict(layout='nturgb+d', mode='stgcn_spatial')
BASE = 8
NEW_BACKBONES = ['UNIK', 'HyperGCN']


def backbone_cfg(kind, down_stages):
    return dict(type=kind, graph_cfg=GRAPH, base_channels=BASE,
                down_stages=down_stages)


@pytest.mark.parametrize('kind', NEW_BACKBONES)
@pytest.mark.parametrize('down_stages', [[2, 5, 8], [5, 8]])
def test_output_shape_equals_stgcn_shape(kind, down_stages):
    torch.manual_seed(0)
    model = MODELS.build(backbone_cfg(kind, down_stages)).eval()
    reference = MODELS.build(backbone_cfg('STGCN', down_stages)).eval()
    assert len(model.gcn) == len(reference.gcn) == 10
    with torch.no_grad():
        for frames in (7, 31, 64):
            x = torch.randn(2, 2, frames, 25, 3)
            out = model(x)
            expected = (2, 2, 4 * BASE,
                        math.ceil(frames / 2**len(down_stages)), 25)
            assert out.shape == expected
            assert out.shape == reference(x).shape
            assert torch.isfinite(out).all()


@pytest.mark.parametrize('kind', NEW_BACKBONES)
@pytest.mark.parametrize('down_stages', [[2, 5, 8], [5, 8]])
def test_multiscale_levels_equal_stgcn_levels(kind, down_stages):
    model = MultiScaleGCN(backbone_cfg(kind, down_stages))
    reference = MultiScaleGCN(backbone_cfg('STGCN', down_stages))
    assert model.out_indices == reference.out_indices
    assert model.out_channels == reference.out_channels
    assert model.strides == reference.strides
    levels = model(torch.randn(1, 1, 31, 25, 3))
    assert [tuple(level.shape) for level in levels] == [
        (1, channels, math.ceil(31 / stride))
        for channels, stride in zip(reference.out_channels,
                                    reference.strides)
    ]

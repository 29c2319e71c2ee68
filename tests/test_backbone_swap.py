"""UNIK and HyperGCN are drop-in replacements for MMAction2's STGCN.

Same constructor, same stage layout (output shapes and MultiScaleGCN levels
equal to STGCN's for the same arguments), and a quick-start pretraining
config trains with only ``model.backbone.backbone.type`` changed.

The training-step test keeps each config's sizes (base 16, 128-frame clip)
and only takes a batch of 2 windows, so all 4 backbones x every quick start
stay within a few seconds.
"""
import math
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from mmaction.registry import DATASETS, MODELS
from snippet_plugin.models import MultiScaleGCN, SkeletonMoCo

GRAPH = dict(layout='nturgb+d', mode='stgcn_spatial')
BASE = 8
NEW_BACKBONES = ['UNIK', 'HyperGCN']
QUICKSTART = Path(__file__).resolve().parents[1] / 'configs' / 'quickstart'


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


def moco_pretraining_configs():
    """MocapMix quick-start configs whose model is SkeletonMoCo or a subclass
    (the BandaiMix ones have the same models, see test_configs.py)."""
    found = []
    for path in sorted(QUICKSTART.glob('*_mocapmix.py')):
        cfg = Config.fromfile(str(path))
        if issubclass(MODELS.get(cfg.model.type), SkeletonMoCo):
            found.append(path)
    return found


def test_the_stgcn_quickstarts_are_found():
    names = {path.name for path in moco_pretraining_configs()}
    assert {'skeletonclr_stgcn_mocapmix.py',
            'snippet_skeletonclr_stgcn_mocapmix.py'} <= names


@pytest.mark.parametrize('path', moco_pretraining_configs(),
                         ids=lambda p: p.stem)
@pytest.mark.parametrize('kind', ['STGCN', 'AAGCN', 'UNIK', 'HyperGCN'])
def test_one_line_backbone_swap_trains(path, kind, mocapmix_dir,
                                       monkeypatch):
    monkeypatch.chdir(mocapmix_dir)
    cfg = Config.fromfile(str(path))
    cfg.model.backbone.backbone.type = kind
    init_default_scope(cfg.default_scope)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    backbone = model.encoder_q['backbone'].backbone
    assert type(backbone).__name__ == kind
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    batch = pseudo_collate([dataset[i] for i in range(2)])
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = [p.detach().clone() for p in backbone.parameters()]
    losses = model.train_step(batch, optim)
    assert torch.isfinite(losses['loss'])
    after = list(backbone.parameters())
    assert all(torch.isfinite(p).all() for p in after)
    assert sum(not torch.equal(b, p) for b, p in zip(before, after)) > (
        len(before) // 2)

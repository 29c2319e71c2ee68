"""NeighbourMiningHook switches AimCLR's neighbour mining on at its epoch."""
from types import SimpleNamespace

import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.engine.hooks import NeighbourMiningHook
from helpers import tiny_moco_cfg


def test_neighbour_mining_hook_switches_by_epoch():
    torch.manual_seed(0)
    model = MODELS.build(tiny_moco_cfg('AimCLR', feat_dim=16, queue_size=12,
                                       temperature=0.2))
    hook = NeighbourMiningHook(start_epoch=2)
    runner = SimpleNamespace(model=model, epoch=0)
    hook.before_train(runner)
    for epoch, expected in [(0, False), (1, False), (2, True), (5, True)]:
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        assert model.mine_neighbours is expected
    with pytest.raises(ValueError, match='mine_neighbours'):
        hook.before_train(SimpleNamespace(model=torch.nn.Linear(1, 1)))

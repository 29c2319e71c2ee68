"""Training hooks: the λ warm-up schedule and RNG state round trips."""
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from snippet_plugin.engine.hooks import DenseLossWarmupHook, RNGStateHook


class ModelWithSnippets(nn.Module):
    def __init__(self, dense_head=True):
        super().__init__()
        self.with_dense = dense_head
        self.loss_dense_weight = 1.5


def test_warmup_ramps_lambda_linearly_then_holds():
    model = ModelWithSnippets()
    runner = SimpleNamespace(model=model, iter=0)
    hook = DenseLossWarmupHook(warmup_iters=10, start_ratio=0.2)
    hook.before_train(runner)
    seen = []
    for iteration in (0, 5, 10, 30):
        runner.iter = iteration
        hook.before_train_iter(runner, batch_idx=iteration)
        seen.append(model.loss_dense_weight)
    # 1.5 * (0.2 + 0.8 * i / 10), capped at i = 10
    assert seen == pytest.approx([0.3, 0.9, 1.5, 1.5])


def test_warmup_refuses_a_model_without_snippet_branch():
    runner = SimpleNamespace(model=ModelWithSnippets(dense_head=False))
    with pytest.raises(ValueError, match='needs a model with a dense_head'):
        DenseLossWarmupHook(warmup_iters=3).before_train(runner)


@pytest.mark.parametrize('kwargs', [dict(warmup_iters=0),
                                    dict(warmup_iters=5, start_ratio=1.5)])
def test_warmup_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        DenseLossWarmupHook(**kwargs)


def draws():
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


def test_rng_state_survives_a_weights_only_checkpoint(tmp_path):
    hook = RNGStateHook()
    checkpoint = {}
    hook.before_save_checkpoint(None, checkpoint)
    expected = draws()
    path = tmp_path / 'ckpt.pth'
    torch.save(checkpoint, path)
    loaded = torch.load(path, weights_only=True)
    hook.after_load_checkpoint(SimpleNamespace(_resume=True), loaded)
    assert draws() == expected


def test_rng_state_is_left_alone_when_loading_weights_only():
    hook = RNGStateHook()
    checkpoint = {}
    hook.before_save_checkpoint(None, checkpoint)
    first = draws()
    hook.after_load_checkpoint(SimpleNamespace(_resume=False), checkpoint)
    assert draws() != first

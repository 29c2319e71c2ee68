"""DenseLossWarmupHook: λ ramps linearly, then holds; models without a snippet
branch and bad arguments are refused."""
from types import SimpleNamespace

import pytest
from torch import nn

from snippet_plugin.engine.hooks import DenseLossWarmupHook


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

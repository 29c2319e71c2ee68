"""Modules that training runs under test import through ``custom_imports``
(``tests/`` on ``PYTHONPATH``): a BN-free backbone and hooks that record,
kill or corrupt a run. Not a test module."""
import json
import os
import signal
from types import SimpleNamespace

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import nn

from mmaction.registry import HOOKS, MODELS


@MODELS.register_module(force=True)
class ConvStagesForTests(nn.Module):
    """Two temporal-conv stages without batch normalisation, so a sample's
    features do not depend on its batch companions (DDP with ``B/2`` per
    rank computes what one process computes with ``B``).

    ``forward``: ``(N, M, T, V, C)`` -> stage outputs ``(N*M, C_s, T_s, V)``
    with ``C_s`` 8, 16 and ``T_s`` ``T``, ``T/2``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.in_channels = 3
        self.graph = SimpleNamespace(num_node=25)
        self.gcn = nn.ModuleList([
            nn.Sequential(nn.Conv2d(3, 8, (3, 1), padding=(1, 0)), nn.ReLU()),
            nn.Sequential(
                nn.Conv2d(8, 16, (3, 1), stride=(2, 1), padding=(1, 0)),
                nn.ReLU()),
        ])

    def forward(self, x):
        n, m, t, v, c = x.shape
        x = x.permute(0, 1, 4, 2, 3).reshape(n * m, c, t, v)
        for stage in self.gcn:
            x = stage(x)
        return x


def _model(runner):
    model = runner.model
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module(force=True)
class RankStateDumpHookForTests(Hook):
    """Every rank writes ``rank<r>.pt`` in the work dir after training: its
    model state dict and its per-iteration ``loss*`` values (checkpoints come
    from rank 0 only)."""

    def __init__(self) -> None:
        self.losses = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.losses.append({k: float(v.detach()) for k, v in outputs.items()
                            if k.startswith('loss')})

    def after_train(self, runner):
        state = {k: v.detach().clone()
                 for k, v in _model(runner).state_dict().items()}
        torch.save(dict(state=state, losses=self.losses),
                   os.path.join(runner.work_dir, f'rank{get_rank()}.pt'))


@HOOKS.register_module(force=True)
class SigkillAtIterHookForTests(Hook):
    """SIGKILL this process before 0-based iteration ``iteration`` runs,
    unless the environment sets ``NO_SIGKILL``."""

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.iteration and 'NO_SIGKILL' not in os.environ:
            os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module(force=True)
class NaNInputAtIterHookForTests(Hook):
    """Put a NaN into the first input of 0-based iteration ``iteration``."""

    priority = 'VERY_HIGH'

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.iteration:
            data_batch['inputs'][0].view(-1)[0] = float('nan')


def read_json_log(work_dir):
    """The per-iteration records of a run's ``vis_data/scalars.json``."""
    [path] = [os.path.join(root, name)
              for root, _, names in os.walk(work_dir) for name in names
              if name == 'scalars.json']
    with open(path) as file:
        return [json.loads(line) for line in file]


@HOOKS.register_module(force=True)
class SigkillDuringSaveHookForTests(Hook):
    """SIGKILL this process inside the ``save``-th checkpoint write (1-based),
    after the checkpoint bytes are written, at the first ``os.fsync``."""

    def __init__(self, save: int) -> None:
        self.save = save
        self.saves = 0

    def before_save_checkpoint(self, runner, checkpoint):
        self.saves += 1
        if self.saves == self.save:
            os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)

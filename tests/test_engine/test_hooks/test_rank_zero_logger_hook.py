"""RankZeroLoggerHook: only rank 0 writes a distributed test run's metrics
file, so two ranks cannot interleave their records into a line that is not
JSON (the race mmengine's ``LoggerHook`` has under ``torchrun``)."""
import json
from types import SimpleNamespace
from unittest import mock

import pytest
from mmengine.config import Config
from mmengine.hooks import LoggerHook

from mmaction.registry import HOOKS
from snippet_plugin.engine.hooks import RankZeroLoggerHook
from helpers import REPO

METRICS = {'tal/mAP_avg': 12.5, 'time': 0.25}


def fake_test_runner(log_dir):
    """The attributes ``LoggerHook.after_test_epoch`` reads."""
    log_processor = SimpleNamespace(
        get_log_after_epoch=lambda *args, **kwargs: (dict(METRICS), 'log'))
    return SimpleNamespace(log_dir=str(log_dir), log_processor=log_processor,
                           test_dataloader=[0, 1],
                           logger=mock.Mock())


def run_after_test_epoch(hook_type, log_dir, main_process):
    hook = hook_type()
    hook.json_log_path = 'run.json'
    with mock.patch('snippet_plugin.engine.hooks.rank_zero_logger_hook.'
                    'is_main_process', return_value=main_process):
        hook.after_test_epoch(fake_test_runner(log_dir), METRICS)
    return log_dir / 'run.json'


def test_rank_zero_writes_the_test_metrics(tmp_path):
    path = run_after_test_epoch(RankZeroLoggerHook, tmp_path, True)
    assert json.loads(path.read_text()) == METRICS


def test_other_ranks_write_nothing(tmp_path):
    path = run_after_test_epoch(RankZeroLoggerHook, tmp_path, False)
    assert not path.exists()


def test_mmengine_logger_hook_writes_on_every_rank(tmp_path):
    """The behaviour the subclass exists for: mmengine's hook never asks
    the rank, so every rank of a ``torchrun`` test writes. If a later
    mmengine makes it rank-0 only, this fails and the subclass can go."""
    hook = LoggerHook()
    hook.json_log_path = 'run.json'
    with mock.patch('mmengine.dist.utils.get_rank', return_value=1):
        hook.after_test_epoch(fake_test_runner(tmp_path), METRICS)
    assert json.loads((tmp_path / 'run.json').read_text()) == METRICS


@pytest.mark.parametrize('config', [
    'configs/quickstart/skeletonclr_stgcn_mocapmix.py',
    'configs/localization/babel/finetune_snippet_rvtclr_2sagcn_babel.py',
])
def test_configs_inherit_the_rank_zero_logger(config):
    cfg = Config.fromfile(str(REPO / config))
    assert HOOKS.get(cfg.default_hooks.logger.type) is RankZeroLoggerHook

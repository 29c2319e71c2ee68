"""Checkpoints load with ``weights_only=True`` and an explicit allowlist."""
import os

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.runner.checkpoint import _load_checkpoint

import snippet_plugin  # noqa: F401  (registers the safe loader)
from snippet_plugin.utils.checkpoint import (UnsafeCheckpointError,
                                             load_checkpoint_file)

EXPLOIT_MARKER = 'snippet_plugin_exploit_ran'


class RunsCodeWhenUnpickled:
    """An object whose unpickling would execute a shell command."""

    def __reduce__(self):
        return (os.system, (f'touch {EXPLOIT_MARKER}', ))


class ArbitraryObject:
    """A plain user class that nobody allowlisted."""

    def __init__(self):
        self.value = 3


def mmengine_style_checkpoint():
    """A checkpoint shaped like mmengine's, message hub included."""
    hub = MessageHub.get_instance('checkpoint_safety_test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', np.float64(0.25))
    hub.update_info('dataset_size', 7)
    return {
        'meta': {'epoch': 2, 'iter': 10, 'seed': 0},
        'state_dict': {'w': torch.arange(4.)},
        'message_hub': hub.state_dict(),
        'optimizer': {'state': {}, 'param_groups': [{'lr': 0.1}]},
    }


def test_mmengine_checkpoint_with_message_hub_loads(tmp_path):
    path = tmp_path / 'epoch_2.pth'
    torch.save(mmengine_style_checkpoint(), path)
    loaded = load_checkpoint_file(str(path))
    assert torch.equal(loaded['state_dict']['w'], torch.arange(4.))
    history = loaded['message_hub']['log_scalars']['train/loss']
    assert history.mean() == pytest.approx(0.375)
    assert history.current() == pytest.approx(0.25)


def test_mmengine_loader_is_routed_through_the_allowlist(tmp_path):
    path = tmp_path / 'epoch_2.pth'
    torch.save(mmengine_style_checkpoint(), path)
    assert _load_checkpoint(str(path))['meta']['epoch'] == 2
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': {}, 'extra': ArbitraryObject()}, bad)
    with pytest.raises(UnsafeCheckpointError):
        _load_checkpoint(str(bad))


def test_checkpoint_carrying_an_arbitrary_object_is_refused(tmp_path):
    path = tmp_path / 'poisoned.pth'
    torch.save({'state_dict': {}, 'extra': ArbitraryObject()}, path)
    with pytest.raises(UnsafeCheckpointError) as err:
        load_checkpoint_file(str(path))
    message = str(err.value)
    assert str(path) in message
    assert 'ArbitraryObject' in message


def test_code_in_a_checkpoint_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / 'exploit.pth'
    torch.save({'state_dict': {}, 'payload': RunsCodeWhenUnpickled()}, path)
    with pytest.raises(UnsafeCheckpointError, match='system'):
        load_checkpoint_file(str(path))
    assert not (tmp_path / EXPLOIT_MARKER).exists()


def test_saved_history_buffers_carry_no_getattr(tmp_path):
    path = tmp_path / 'hub.pth'
    torch.save(mmengine_style_checkpoint(), path)
    offending = torch.serialization.get_unsafe_globals_in_checkpoint(
        str(path))
    assert not any('getattr' in name for name in offending)


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        load_checkpoint_file(str(tmp_path / 'nothing.pth'))

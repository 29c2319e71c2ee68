"""RNGStateHook: the Python, NumPy and torch generator states come back on
resume through a weights_only checkpoint, and are left alone when a checkpoint
is loaded without resuming."""
import random
from types import SimpleNamespace

import numpy as np
import torch

from snippet_plugin.engine.hooks import RNGStateHook


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

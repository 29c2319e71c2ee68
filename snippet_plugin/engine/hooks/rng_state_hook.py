"""Save and restore the random generators with every checkpoint."""
import random

import numpy as np
import torch
from mmengine.hooks import Hook

from mmaction.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Make ``resume`` continue the random streams where they stopped.

    mmengine re-seeds the generators when a run starts, so a resumed run
    draws different augmentations from the uninterrupted one. This hook
    stores the Python, NumPy and torch (CPU and, when present, CUDA)
    generator states in ``checkpoint['rng_state']`` and puts them back when
    the checkpoint is resumed, so the resumed run reproduces the
    uninterrupted one exactly (with ``num_workers=0``; data-loader workers
    draw from their own, per-epoch seeded generators).

    Every value is a tuple, int, str or array/tensor, all of which load
    with ``torch.load(weights_only=True)`` and the plug-in's allowlist.

    Note:
        Under DDP, only rank 0 writes the checkpoint, so every rank resumes
        with rank 0's state; ranks that drew different amounts of
        randomness before the checkpoint will not continue their own
        streams exactly.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Add the generator states to the checkpoint being written."""
        state = dict(
            python=random.getstate(),
            numpy=np.random.get_state(),
            torch=torch.get_rng_state())
        if torch.cuda.is_available():
            state['cuda'] = torch.cuda.get_rng_state_all()
        checkpoint['rng_state'] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Restore the generator states of a resumed checkpoint."""
        state = checkpoint.get('rng_state')
        if state is None or not getattr(runner, '_resume', False):
            return
        random.setstate(_as_python_state(state['python']))
        np.random.set_state(state['numpy'])
        torch.set_rng_state(state['torch'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])


def _as_python_state(state):
    """``random.setstate`` wants tuples; a loaded state may hold lists."""
    version, internal, gauss = state
    return version, tuple(internal), gauss

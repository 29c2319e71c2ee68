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

    Mid-epoch resume (``IterBasedTrainLoop``): mmengine replays the data
    order by drawing and discarding the first ``iter`` batches, which runs
    their random transforms again and moves the generators past the saved
    state. The hook therefore restores the saved state a second time, right
    after the last discarded batch, so the next batch is drawn exactly as in
    the uninterrupted run.

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
        _set_rng_state(state)
        self._resumed_state = state

    def before_train(self, runner) -> None:
        """Re-apply the resumed state after an iteration loop's replay."""
        state = getattr(self, '_resumed_state', None)
        self._resumed_state = None
        loop = runner.train_loop
        if state is not None and loop.iter > 0 and hasattr(
                loop, 'dataloader_iterator'):
            loop.dataloader_iterator = _RestoreAfterReplay(
                loop.dataloader_iterator, loop.iter, state)


class _RestoreAfterReplay:
    """Iterator that sets ``state`` after its first ``replayed`` batches.

    Wraps the loop's data iterator; the loop discards those batches to
    reach the resumed iteration.
    """

    def __init__(self, iterator, replayed: int, state: dict) -> None:
        self._iterator = iterator
        self._remaining = replayed
        self._state = state

    def __iter__(self):
        return self

    def __next__(self):
        batch = next(self._iterator)
        if self._remaining > 0:
            self._remaining -= 1
            if self._remaining == 0:
                _set_rng_state(self._state)
        return batch


def _set_rng_state(state: dict) -> None:
    """Put the Python, NumPy, torch (and CUDA) generators in ``state``."""
    random.setstate(_as_python_state(state['python']))
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def _as_python_state(state):
    """``random.setstate`` wants tuples; a loaded state may hold lists."""
    version, internal, gauss = state
    return version, tuple(internal), gauss

"""Safe checkpoint loading for torch >= 2.6 with mmengine 0.10.

mmengine writes its ``MessageHub`` (log history buffers with numpy arrays)
into every checkpoint, which ``torch.load(weights_only=True)`` refuses, so
``resume=True`` fails out of the box. Rather than unpickling arbitrary
objects (``weights_only=False`` runs code chosen by whoever wrote the file),
we:

1. allowlist the exact classes and functions such a checkpoint holds
   (:data:`CHECKPOINT_SAFE_GLOBALS`), with
   :func:`torch.serialization.add_safe_globals`;
2. pickle ``HistoryBuffer`` without its statistics-method table, which
   mmengine stores as ``getattr(HistoryBuffer, 'min')`` calls; the table is
   class-level state that code re-registers on import, so it never needs to
   travel, and ``builtins.getattr`` stays off the allowlist;
3. replace mmengine's local-file checkpoint loader by one that always passes
   ``weights_only=True`` and turns a refusal into :class:`UnsafeCheckpointError`
   naming the file and the globals it would have had to import.

:func:`register_safe_checkpoint_loading` applies all three and runs when
``snippet_plugin`` is imported.
"""
import collections
import os.path as osp
import pickle
from typing import Any, List, Optional, Sequence

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

CHECKPOINT_SAFE_GLOBALS: List[Any] = [
    HistoryBuffer,
    np.ndarray,
    np.dtype,
    np._core.multiarray._reconstruct,
    np._core.multiarray.scalar,
    collections.Counter,
    *{type(np.dtype(code)) for code in 'bBhHiIlLqQefdg?'},
]
"""Everything outside torch's defaults that an mmengine checkpoint holds."""


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs globals outside the allowlist to be unpickled."""


def _history_buffer_state(self) -> dict:
    """``HistoryBuffer.__getstate__`` without the statistics-method table."""
    return {key: value for key, value in self.__dict__.items()
            if key != 'statistics_methods'}


def unsafe_globals(path: str) -> List[str]:
    """Globals a checkpoint file references beyond the allowlist."""
    return torch.serialization.get_unsafe_globals_in_checkpoint(path)


def load_checkpoint_file(path: str, map_location: Optional[Any] = None):
    """Load a checkpoint with ``weights_only=True`` and the allowlist.

    Args:
        path: A local ``.pth`` file.
        map_location: As for :func:`torch.load`.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        UnsafeCheckpointError: if the file holds anything the allowlist does
            not name (a pickled object, a function, a module). The message
            lists the offending globals. The file is never unpickled with
            ``weights_only=False``.
    """
    path = osp.expanduser(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: checkpoint not found')
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        try:
            offending = unsafe_globals(path)
        except Exception:  # not a zip checkpoint: report the torch error
            offending = []
        detail = (f'it references {offending}' if offending else str(err))
        raise UnsafeCheckpointError(
            f'{path}: refused to load, {detail}. Only tensors, containers '
            'and the types in snippet_plugin.utils.checkpoint.'
            'CHECKPOINT_SAFE_GLOBALS are accepted; arbitrary pickled objects '
            'can run code. Re-save the state dict from a trusted '
            'environment if you need this file.') from err


def register_safe_checkpoint_loading(
        extra_globals: Sequence[Any] = ()) -> None:
    """Make mmengine load and resume checkpoints through the allowlist.

    Idempotent. ``extra_globals`` lets a project allowlist its own types
    (classes only, never ``getattr``/``eval``-like callables).
    """
    torch.serialization.add_safe_globals(
        [*CHECKPOINT_SAFE_GLOBALS, *extra_globals])
    HistoryBuffer.__getstate__ = _history_buffer_state
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_checkpoint_file, force=True)

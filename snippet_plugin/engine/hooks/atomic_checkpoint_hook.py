"""Checkpoints that are never half-written."""
import builtins
import io
import os.path as osp
import sys
from contextlib import contextmanager

from mmengine.hooks import CheckpointHook

from mmaction.registry import HOOKS
from ...utils.atomic_io import ATOMIC_BACKEND, atomic_write


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """:class:`mmengine.hooks.CheckpointHook` whose files appear atomically.

    A run killed while saving (SIGKILL, OOM killer, node loss) leaves the
    previous checkpoint and the ``last_checkpoint`` pointer intact, so
    ``--resume`` always finds a complete file. Both writes go to a temporary
    sibling, are fsync'ed and renamed over the destination
    (:func:`snippet_plugin.utils.atomic_io.atomic_write`):

    * the checkpoint, through the ``atomic_local`` file backend (the default
      ``backend_args`` for a local ``out_dir``; an explicit ``backend_args``
      or a remote ``out_dir`` is left to mmengine);
    * the ``last_checkpoint`` pointer, which mmengine writes with a plain
      ``open(..., 'w')`` (truncate, then write): while this hook saves, that
      one ``open`` in mmengine's hook module is served by an atomic writer.

    Takes every argument of ``CheckpointHook``.
    """

    def __init__(self, *args, out_dir=None, backend_args=None,
                 file_client_args=None, **kwargs) -> None:
        local = out_dir is None or '://' not in str(out_dir)
        if backend_args is None and file_client_args is None and local:
            backend_args = dict(backend=ATOMIC_BACKEND)
        super().__init__(*args, out_dir=out_dir, backend_args=backend_args,
                         file_client_args=file_client_args, **kwargs)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        pointer = osp.join(runner.work_dir, 'last_checkpoint')
        with _atomic_text_open(pointer):
            super()._save_checkpoint_with_step(runner, step, meta)


class _AtomicTextFile(io.StringIO):
    """Text buffer that replaces ``path`` atomically when closed cleanly."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            atomic_write(self.path, self.getvalue().encode('utf-8'))
        return super().__exit__(exc_type, exc, traceback)


@contextmanager
def _atomic_text_open(path: str):
    """Serve ``open(path, 'w')`` in mmengine's checkpoint-hook module with
    :class:`_AtomicTextFile`; every other ``open`` is the builtin."""
    module = sys.modules[CheckpointHook.__module__]
    target = osp.abspath(path)

    def open_(file, mode='r', *args, **kwargs):
        if mode == 'w' and osp.abspath(str(file)) == target:
            return _AtomicTextFile(target)
        return builtins.open(file, mode, *args, **kwargs)

    module.open = open_
    try:
        yield
    finally:
        del module.open

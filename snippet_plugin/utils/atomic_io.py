"""Crash-safe file writes: a reader sees the old file or the new one, never
a prefix of the new one.

:func:`atomic_write` writes to a temporary sibling, flushes it to disk
(``fsync``), renames it over the destination (``os.replace``, atomic on
POSIX and Windows within one file system) and syncs the directory so the
rename itself survives a power cut. :class:`AtomicLocalBackend` routes
mmengine's local file writes (``put``/``put_text``, used by
``save_checkpoint``) through it.
"""
import os
import os.path as osp
import tempfile
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

ATOMIC_BACKEND = 'atomic_local'
"""Name of :class:`AtomicLocalBackend` in mmengine's file-backend registry
(``backend_args=dict(backend='atomic_local')``)."""


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` by ``data`` in one step.

    A process killed at any point leaves ``path`` either absent/unchanged or
    complete. A kill before the rename may leave the temporary file
    ``.<name>.<random>.tmp`` next to ``path``; it is never read.

    Args:
        path: Destination file; its folder is created if missing.
        data: Bytes to write.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f'.{osp.basename(path)}.', suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Persist a rename in ``folder`` (no-op where folders cannot be
    opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic ``put`` and ``put_text``."""

    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        """Write bytes ``obj`` to ``filepath`` atomically."""
        atomic_write(str(filepath), obj)

    def put_text(self, obj: str, filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> None:
        """Write text ``obj`` to ``filepath`` atomically."""
        atomic_write(str(filepath), obj.encode(encoding))


register_backend(ATOMIC_BACKEND, AtomicLocalBackend, force=True)

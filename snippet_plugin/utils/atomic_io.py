"""Crash-safe file writes: a reader sees the old file or the new one, never
a prefix of the new one.

:func:`atomic_open` / :func:`atomic_write` write to a temporary sibling, flushes it to disk
(``fsync``), renames it over the destination (``os.replace``, atomic on
POSIX and Windows within one file system) and syncs the directory so the
rename itself survives a power cut. :class:`AtomicLocalBackend` routes
mmengine's local file writes (``put``/``put_text``, used by
``save_checkpoint``) through it.
"""
import contextlib
import os
import os.path as osp
import tempfile
from typing import BinaryIO, Iterator, Union

from mmengine.fileio import LocalBackend, register_backend

from .output_paths import make_output_parent

ATOMIC_BACKEND = 'atomic_local'
"""Name of :class:`AtomicLocalBackend` in mmengine's file-backend registry
(``backend_args=dict(backend='atomic_local')``)."""


@contextlib.contextmanager
def atomic_open(path: str) -> Iterator[BinaryIO]:
    """Open a binary file that replaces ``path`` in one step on success.

    Write to the yielded file; when the ``with`` block ends without an
    exception the data is flushed to disk and renamed over ``path``. If the
    block raises, ``path`` is left untouched and the temporary file is
    removed. A process killed at any point leaves ``path`` either
    absent/unchanged or complete; a kill before the rename may leave the
    temporary file ``.<name>.<random>.tmp`` next to ``path``, which is never
    read.

    Args:
        path: Destination file; its folder is created if missing.

    Raises:
        OutputPathError: ``path`` cannot be written (a dangling symbolic
            link or a file on its way, see
            :func:`~snippet_plugin.utils.output_paths.make_output_folder`).
    """
    folder = osp.dirname(osp.abspath(make_output_parent(path)))
    fd, tmp = tempfile.mkstemp(
        prefix=f'.{osp.basename(path)}.', suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` by ``data`` in one step (:func:`atomic_open`).

    Args:
        path: Destination file; its folder is created if missing.
        data: Bytes to write.
    """
    with atomic_open(path) as file:
        file.write(data)


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

"""Output folders that exist before anything is written into them.

Every tool writes through :func:`make_output_folder` (a folder) or
:func:`make_output_parent` (a file): missing folders are created, and a path
that cannot hold output is refused with one line that names the culprit,
instead of ``os.makedirs``' bare ``FileNotFoundError``:

- a dangling symbolic link anywhere on the way (e.g. a ``data`` or
  ``work_dirs`` link copied from another machine, whose target does not
  exist here);
- a file where a folder is needed;
- a dangling link at the output file itself.

:func:`exit_on_unwritable_output` turns :class:`OutputPathError` into that
one line and exit status 1 for the command-line tools.
"""
import contextlib
import os
import os.path as osp
from typing import Iterator


class OutputPathError(OSError):
    """An output path that cannot be written; the message names the part of
    the path at fault and why."""


def _ancestors(folder: str) -> list:
    """``folder`` and every folder above it, outermost first, as written
    (absolute when ``folder`` is)."""
    chain = []
    current = osp.normpath(folder)
    while True:
        chain.append(current)
        parent = osp.dirname(current)
        if parent in ('', current):
            break
        current = parent
    return chain[::-1]


def make_output_folder(folder: str) -> str:
    """Create ``folder`` and any missing folder above it; return ``folder``.

    Args:
        folder: The folder output goes to, relative or absolute.

    Raises:
        OutputPathError: a part of the path is a dangling symbolic link, or
            a file rather than a folder.
    """
    for part in _ancestors(folder):
        if osp.islink(part) and not osp.exists(part):
            raise OutputPathError(
                f'cannot write under {folder}: {part} is a symbolic link to '
                f'{os.readlink(part)}, which does not exist; remove the link '
                'or create its target')
        if osp.exists(part) and not osp.isdir(part):
            raise OutputPathError(
                f'cannot write under {folder}: {part} is a file, not a folder')
    os.makedirs(folder, exist_ok=True)
    return folder


def make_output_parent(path: str) -> str:
    """Create the folder of the output file ``path``; return ``path``.

    Raises:
        OutputPathError: as :func:`make_output_folder`, or ``path`` itself
            is a dangling symbolic link or a folder.
    """
    make_output_folder(osp.dirname(osp.abspath(path)))
    if osp.islink(path) and not osp.exists(path):
        raise OutputPathError(
            f'cannot write {path}: it is a symbolic link to '
            f'{os.readlink(path)}, which does not exist')
    if osp.isdir(path):
        raise OutputPathError(f'cannot write {path}: it is a folder')
    return path


@contextlib.contextmanager
def exit_on_unwritable_output() -> Iterator[None]:
    """Turn :class:`OutputPathError` into its one-line message and exit
    status 1 (``SystemExit``), for ``main()`` of the command-line tools."""
    try:
        yield
    except OutputPathError as err:
        raise SystemExit(f'error: {err}') from None

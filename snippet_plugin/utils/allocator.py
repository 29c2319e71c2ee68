"""Keep freed memory in the process, so that training steps reuse pages.

With its defaults, glibc's ``malloc`` serves every block of 32 MiB or more
(after its adaptive threshold has grown; 128 KiB before) with its own
``mmap`` and gives it back to the kernel on ``free``, and trims the heap top
beyond 128 KiB. A training step of a skeleton GCN on CPU allocates and frees
hundreds of such activation and gradient blocks, so every step faults all
of them in again, page by page: at ST-GCN base 64, batch 16 x 2 views x
150 frames, several GiB of fresh pages per step, seconds of kernel time
(``docs/performance.md``). :func:`keep_freed_memory` tells glibc to serve
large blocks from the heap too and not to trim it, which is what glibc's
``GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=...``
does, but from inside the running process, so that nobody has to export
anything: ``tools/train.py`` and ``tools/test.py`` call it at start.

The cost: the process keeps its peak heap for its lifetime instead of
shrinking between steps (the resident set no longer falls back after a
step; the peak itself does not grow). Numerics are untouched: the same
operations run on the same values, only where the bytes live differs.

Where it does nothing: other C libraries (macOS, musl), and a process whose
``GLIBC_TUNABLES`` already sets a ``glibc.malloc`` tunable (the user's
choice wins). ``SNIPPET_PLUGIN_MALLOC=default`` switches it off.
"""
import ctypes
import ctypes.util
import os
from typing import Mapping, Optional

#: ``mallopt`` parameters of glibc's ``<malloc.h>``.
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4

#: Largest ``M_TRIM_THRESHOLD`` that ``mallopt``'s ``int`` takes (2 GiB - 1):
#: a free heap top above it is still returned to the kernel.
MAX_TRIM_THRESHOLD = 2**31 - 1

#: Environment variable whose value ``default`` leaves glibc's defaults.
SWITCH = 'SNIPPET_PLUGIN_MALLOC'


def allocator_tuning_wanted(environ: Mapping[str, str]) -> bool:
    """Whether :func:`keep_freed_memory` should act in a process with
    environment ``environ``: not when ``SNIPPET_PLUGIN_MALLOC=default``,
    nor when ``GLIBC_TUNABLES`` already sets a ``glibc.malloc`` tunable."""
    if environ.get(SWITCH, '').strip().lower() == 'default':
        return False
    tunables = environ.get('GLIBC_TUNABLES', '')
    return not any(item.strip().startswith('glibc.malloc.')
                   for item in tunables.split(':'))


def _glibc() -> Optional[ctypes.CDLL]:
    """The process's C library if it is glibc (it has ``mallopt`` and
    ``gnu_get_libc_version``), else None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
    except OSError:
        return None
    if not (hasattr(libc, 'mallopt')
            and hasattr(libc, 'gnu_get_libc_version')):
        return None
    return libc


def keep_freed_memory(environ: Optional[Mapping[str, str]] = None,
                      libc: Optional[ctypes.CDLL] = None) -> bool:
    """Make glibc keep freed memory for reuse: no ``mmap`` for large blocks
    (``M_MMAP_MAX = 0``), no heap trimming below
    :data:`MAX_TRIM_THRESHOLD` (``M_TRIM_THRESHOLD``).

    Applies to the whole process from the call on (and to processes it
    forks later, e.g. data-loader workers); blocks already mapped keep
    their ``mmap`` until freed.

    Args:
        environ (Mapping[str, str], optional): Environment to consult
            (:func:`allocator_tuning_wanted`). Defaults to ``os.environ``.
        libc (ctypes.CDLL, optional): The C library. Defaults to this
            process's, when it is glibc.

    Returns:
        bool: True when both settings were applied.
    """
    if not allocator_tuning_wanted(os.environ if environ is None else environ):
        return False
    libc = _glibc() if libc is None else libc
    if libc is None:
        return False
    return bool(libc.mallopt(M_MMAP_MAX, 0)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, MAX_TRIM_THRESHOLD))

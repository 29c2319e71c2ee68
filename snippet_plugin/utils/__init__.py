"""Checkpoint safety and environment compatibility helpers."""
from .atomic_io import ATOMIC_BACKEND, AtomicLocalBackend, atomic_write
from .checkpoint import (CHECKPOINT_SAFE_GLOBALS, UnsafeCheckpointError,
                         load_checkpoint_file,
                         register_safe_checkpoint_loading)
from .compat import check_openmmlab_stack

__all__ = [
    'CHECKPOINT_SAFE_GLOBALS', 'UnsafeCheckpointError', 'load_checkpoint_file',
    'register_safe_checkpoint_loading', 'check_openmmlab_stack',
    'ATOMIC_BACKEND', 'AtomicLocalBackend', 'atomic_write'
]

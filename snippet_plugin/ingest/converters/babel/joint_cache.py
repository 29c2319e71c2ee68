"""The per-sequence joint cache and the extraction that fills it."""
import hashlib
import json
import os
import os.path as osp
import tempfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Optional

import numpy as np

from ..common import RawDataError
from .amass import read_amass_motion
from .joint_sources import JointSource
from .timing import TARGET_FPS, resample_plan


CONVERTER_VERSION = 1
"""Bumped whenever the same inputs would give different joints."""


def save_array_atomic(path: str, array: np.ndarray) -> None:
    """``np.save`` to a temporary sibling, then rename (never half-written).
    """
    folder = osp.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            np.save(f, array)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class JointCache:
    """Per-sequence 30-fps joints ``(T_out, 25, 3)`` float32 ``.npy`` files.

    Files live in ``root/<tag>/<feat_p without .npz>.npy``, where ``tag``
    hashes the joint source's settings (and :data:`CONVERTER_VERSION`), so
    other settings never reuse them; ``settings.json`` beside them says
    which. A file exists only once complete (atomic writes), so a rerun
    skips exactly the finished sequences.
    """

    def __init__(self, root: str, settings: dict) -> None:
        settings = dict(settings, fps=TARGET_FPS, version=CONVERTER_VERSION)
        text = json.dumps(settings, sort_keys=True)
        tag = hashlib.sha1(text.encode()).hexdigest()[:12]
        self.folder = osp.join(root, tag)
        os.makedirs(self.folder, exist_ok=True)
        with open(osp.join(self.folder, 'settings.json'), 'w') as f:
            f.write(text)

    def path(self, feat_p: str) -> str:
        return osp.join(self.folder,
                        str(PurePosixPath(feat_p).with_suffix('.npy')))

    def has(self, feat_p: str) -> bool:
        return osp.isfile(self.path(feat_p))

    def load(self, feat_p: str) -> np.ndarray:
        return np.load(self.path(feat_p))

    def num_frames(self, feat_p: str) -> int:
        return len(np.load(self.path(feat_p), mmap_mode='r'))


@dataclass(frozen=True)
class ExtractionTask:
    """One sequence to extract: read, joints, resample, cache."""
    feat_p: str
    amass_path: str
    cache_path: str
    source: JointSource


def extract_to_cache(task: ExtractionTask,
                     torch_threads: Optional[int] = None) -> str:
    """Write the 30-fps joints of ``task`` to its cache file.

    Only the source frames the interpolation uses are computed.

    Args:
        task: The sequence.
        torch_threads: Threads for torch in this process (1 in workers).

    Returns:
        ``task.feat_p``.

    Raises:
        RawDataError: naming the file at fault.
    """
    if torch_threads is not None:
        import torch
        torch.set_num_threads(torch_threads)
    motion = read_amass_motion(task.amass_path)
    plan = resample_plan(motion.num_frames, motion.fps)
    joints = task.source.joints(task.feat_p, motion, plan.frames)
    if not np.isfinite(joints).all():
        raise RawDataError(f'{task.amass_path}: non-finite joints')
    save_array_atomic(task.cache_path, plan.apply(joints))
    return task.feat_p

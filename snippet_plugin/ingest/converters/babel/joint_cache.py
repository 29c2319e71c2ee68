"""The per-sequence joint cache, keyed on the content of each sequence's
inputs, and the extraction that fills it."""
import glob
import hashlib
import json
import os
import os.path as osp
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Optional, Tuple

import numpy as np

from ....utils.atomic_io import atomic_open, atomic_write
from ..common import RawDataError
from .amass import read_amass_motion
from .joint_sources import JointSource
from .timing import TARGET_FPS, resample_plan, resampled_length

CONVERTER_VERSION = 2
"""Bumped whenever the same inputs would give different joints, or the
cache layout changes (2: entries keyed on their inputs' content)."""

KEY_CHARS = 16
"""Hex digits of an entry's input key kept in its file name."""


@dataclass(frozen=True)
class MotionInput:
    """What the joints of one sequence are made from.

    Attributes:
        feat_p: BABEL's path of the motion.
        amass_path: The AMASS file found for it.
        num_frames: ``T`` of the AMASS file.
        fps: Its ``mocap_framerate``.
        amass_digest: SHA-256 of the AMASS file's bytes.
        key: Hash of every input of the joints (the AMASS file's content
            and the joint source's entry for ``feat_p``).
    """
    feat_p: str
    amass_path: str
    num_frames: int
    fps: float
    amass_digest: str
    key: str

    @property
    def output_frames(self) -> int:
        """Frames at 30 fps (:func:`~.timing.resampled_length`)."""
        return resampled_length(self.num_frames, self.fps)


def inspect_motion(located: Tuple[str, str],
                   source: JointSource) -> MotionInput:
    """Read one AMASS file and key its joints on the inputs' content.

    Args:
        located: ``(feat_p, AMASS file)``.
        source: The joint source (its entry for ``feat_p`` is hashed too).

    Raises:
        RawDataError: naming the AMASS file if it is unreadable.
    """
    feat_p, amass_path = located
    motion = read_amass_motion(amass_path)
    inputs = dict(amass=motion.digest, joints=source.input_digest(feat_p))
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode())
    return MotionInput(feat_p, amass_path, motion.num_frames, motion.fps,
                       motion.digest, key.hexdigest())


class JointCache:
    """Per-sequence 30-fps joints ``(T_out, 25, 3)`` float32 ``.npy`` files.

    An entry lives in ``root/<tag>/<feat_p without .npz>.<key>.npy``:
    ``tag`` hashes the joint source's settings (the options that shape the
    joints, its model files' content) with the output frame rate and
    :data:`CONVERTER_VERSION`; ``key`` (:attr:`MotionInput.key`) hashes the
    content of the sequence's inputs. Changed options or a changed input
    file therefore never reuse an old entry; ``settings.json`` says which
    settings a folder holds. A file exists only once complete (atomic
    writes), so a rerun skips exactly the finished sequences.
    """

    def __init__(self, root: str, settings: dict) -> None:
        settings = dict(settings, fps=TARGET_FPS, version=CONVERTER_VERSION)
        text = json.dumps(settings, sort_keys=True)
        tag = hashlib.sha1(text.encode()).hexdigest()[:12]
        self.folder = osp.join(root, tag)
        atomic_write(osp.join(self.folder, 'settings.json'), text.encode())

    def path(self, motion: MotionInput) -> str:
        """The entry file of ``motion``."""
        stem = PurePosixPath(motion.feat_p).with_suffix('')
        return osp.join(self.folder,
                        f'{stem}.{motion.key[:KEY_CHARS]}.npy')

    def has(self, motion: MotionInput) -> bool:
        return osp.isfile(self.path(motion))

    def load(self, motion: MotionInput) -> np.ndarray:
        return np.load(self.path(motion))


@dataclass(frozen=True)
class ExtractionTask:
    """One sequence to extract: read, joints, resample, cache."""
    motion: MotionInput
    cache_path: str
    source: JointSource


def stale_entries(cache_path: str) -> list:
    """Other entries of the same ``feat_p`` (older inputs) beside
    ``cache_path``."""
    stem = cache_path[:-len('.npy')].rsplit('.', 1)[0]
    pattern = f'{glob.escape(stem)}.{"[0-9a-f]" * KEY_CHARS}.npy'
    return [path for path in glob.glob(pattern) if path != cache_path]


def extract_to_cache(task: ExtractionTask,
                     torch_threads: Optional[int] = None) -> str:
    """Write the 30-fps joints of ``task`` to its cache file and remove the
    entries of the same sequence made from older inputs.

    Only the source frames the interpolation uses are computed.

    Args:
        task: The sequence.
        torch_threads: Threads for torch in this process (1 in workers).

    Returns:
        ``task.motion.feat_p``.

    Raises:
        RawDataError: naming the file at fault, or an AMASS file that
            changed since it was inspected.
    """
    if torch_threads is not None:
        import torch
        torch.set_num_threads(torch_threads)
    expected = task.motion
    motion = read_amass_motion(expected.amass_path)
    if motion.digest != expected.amass_digest:
        raise RawDataError(f'{expected.amass_path}: the file changed while '
                           'the conversion ran; run it again')
    plan = resample_plan(motion.num_frames, motion.fps)
    joints = task.source.joints(expected.feat_p, motion, plan.frames)
    if not np.isfinite(joints).all():
        raise RawDataError(f'{expected.amass_path}: non-finite joints')
    with atomic_open(task.cache_path) as f:
        np.save(f, plan.apply(joints))
    for path in stale_entries(task.cache_path):
        os.unlink(path)
    return expected.feat_p

"""Read one skeleton input for inference: an array or a file.

Inputs (:func:`load_skeleton_input`):

* a NumPy array ``(T, V, C)`` (one person) or ``(M, T, V, C)``, xyz in
  metres, NTU-25 joint order;
* a file: our annotation ``.pkl`` (choose a sample with ``sample=``), a
  PKU-MMD skeleton ``.txt``, an NTU RGB+D ``.skeleton`` (a PKU-MMD file
  named ``.skeleton`` is recognised by its 150-number lines), or a ``.npy``
  array as above. The files are parsed by the dataset converters' readers
  (:mod:`snippet_plugin.ingest.converters`).

Every problem with the input raises :class:`SkeletonInputError` naming the
input and what is wrong with it (:func:`check_keypoint` checks the array).
"""
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Union

import numpy as np
import torch

from ..datasets.annotation import (NTU25_JOINT_NAMES, AnnotationError,
                                   load_annotations)
from ..ingest.converters import (RawDataError, read_ntu_skeleton,
                                 read_pkummd_skeleton, select_bodies)

DEFAULT_FPS = 30
"""Frame rate assumed when neither the call, the input file nor the model's
dataset meta gives one (NTU RGB+D, PKU-MMD and BABEL are 30 fps)."""

SUPPORTED_SUFFIXES = ('.pkl', '.txt', '.skeleton', '.npy')
MAX_LISTED = 5


class SkeletonInputError(ValueError):
    """A skeleton input is unreadable or breaks the expected layout; the
    message names the input and the problem."""


@dataclass
class SkeletonSequence:
    """A skeleton input, loaded.

    Attributes:
        name: Sample name (``frame_dir``, file stem, or ``'sequence'``).
        keypoint: ``(M, T, V, C)`` array as read (not yet checked).
        source: How to name the input in messages.
        fps: Frame rate the input states, if any.
        gt_segments: ``(S, 3)`` ``[start, end, class]`` ground truth when
            the input carries it (an annotation sample), else None.
        gt_classes: The names of the ground truth's class ids (the file's
            ``meta['classes']``); empty when the file names none.
    """
    name: str
    keypoint: np.ndarray
    source: str
    fps: Optional[float] = None
    gt_segments: Optional[np.ndarray] = None
    gt_classes: List[str] = field(default_factory=list)


def check_keypoint(keypoint, source: str,
                   num_joints: Optional[int] = None) -> np.ndarray:
    """Validate a skeleton array and give it the person axis.

    Args:
        keypoint: ``(T, V, C)`` or ``(M, T, V, C)`` numbers.
        source: The input's name, used in messages.
        num_joints: ``V`` the model needs (None: not checked).

    Returns:
        float32 ``(M, T, V, C)``.

    Raises:
        SkeletonInputError: wrong number of dimensions, no number dtype,
            no frame or person, ``V != num_joints``, ``C != 3``, or NaN/inf
            values (their frames and joints are listed).
    """
    array = np.asarray(keypoint)
    if array.ndim not in (3, 4):
        raise SkeletonInputError(
            f'{source}: expected an array (T, V, C) or (M, T, V, C) = '
            f'(persons, frames, joints, xyz), got {array.ndim} dimension(s), '
            f'shape {array.shape}')
    if array.ndim == 3:
        array = array[None]
    if not (np.issubdtype(array.dtype, np.floating)
            or np.issubdtype(array.dtype, np.integer)):
        raise SkeletonInputError(f'{source}: joint coordinates must be '
                                 f'numbers, got dtype {array.dtype}')
    persons, frames, joints, channels = array.shape
    if frames == 0 or persons == 0:
        raise SkeletonInputError(
            f'{source}: zero-length sequence, shape (M, T, V, C) = '
            f'{array.shape} has no {"frame" if frames == 0 else "person"}')
    if num_joints is not None and joints != num_joints:
        raise SkeletonInputError(
            f'{source}: {joints} joints per skeleton (V, axis -2 of shape '
            f'{array.shape}), the model needs {num_joints} (NTU-25 order)')
    if channels != 3:
        raise SkeletonInputError(
            f'{source}: {channels} coordinate(s) per joint (C, last axis of '
            f'shape {array.shape}), expected 3 (x, y, z)')
    finite = np.isfinite(array)
    if not finite.all():
        raise SkeletonInputError(f'{source}: {_non_finite_report(finite)}')
    return array.astype(np.float32)


def _non_finite_report(finite: np.ndarray) -> str:
    """Where a ``(M, T, V, C)`` array has NaN/inf: frames and joints."""
    bad = ~finite.all(axis=3)
    frames = np.flatnonzero(bad.any(axis=(0, 2)))
    joints = np.flatnonzero(bad.any(axis=(0, 1)))
    named = finite.shape[2] == len(NTU25_JOINT_NAMES)
    names = [f'{j} ({NTU25_JOINT_NAMES[j]})' if named else str(j)
             for j in joints[:MAX_LISTED]]
    return (f'NaN or infinite joint coordinates in {len(frames)} frame(s) '
            f'{short_listing(frames.tolist())} at joint(s) '
            f'{short_listing(names, len(joints))}')


def short_listing(items: Sequence, total: Optional[int] = None) -> str:
    """``[a, b, c, ...]`` with at most ``MAX_LISTED`` items."""
    total = len(items) if total is None else total
    shown = ', '.join(str(item) for item in list(items)[:MAX_LISTED])
    more = f', ... ({total} in all)' if total > MAX_LISTED else ''
    return f'[{shown}{more}]'


def load_skeleton_input(skeleton, sample: Union[str, int, None] = None
                        ) -> SkeletonSequence:
    """Load an array or a skeleton file (formats in the module docstring).

    Args:
        skeleton: An array, or a path.
        sample: For an annotation ``.pkl``: the sample's ``frame_dir`` or
            index (default the first sample).

    Raises:
        SkeletonInputError: a missing, unreadable or malformed file, an
            unknown extension, or an unknown sample.
    """
    if isinstance(skeleton, (str, os.PathLike)):
        return read_skeleton_file(os.fspath(skeleton), sample)
    if isinstance(skeleton, torch.Tensor):
        skeleton = skeleton.detach().cpu().numpy()
    if isinstance(skeleton, (np.ndarray, list, tuple)):
        try:
            array = np.asarray(skeleton)
        except ValueError as err:
            raise SkeletonInputError(f'array input: not a rectangular '
                                     f'array ({err})') from err
        return SkeletonSequence('sequence', array, 'array input')
    raise SkeletonInputError(
        f'skeleton input of type {type(skeleton).__name__}: give a NumPy '
        f'array (T, V, C) / (M, T, V, C) or a file path '
        f'({", ".join(SUPPORTED_SUFFIXES)})')


def read_skeleton_file(path: str, sample: Union[str, int, None] = None
                       ) -> SkeletonSequence:
    """Read a skeleton file by its extension (see :func:`load_skeleton_input`).
    """
    suffix = osp.splitext(path)[1].lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkeletonInputError(
            f'{path}: unknown skeleton file format {suffix or "(none)"!r}; '
            f'supported: .pkl (annotation file), .txt (PKU-MMD), .skeleton '
            f'(NTU RGB+D or PKU-MMD), .npy (array (T, V, C) / (M, T, V, C))')
    if not osp.isfile(path):
        raise SkeletonInputError(f'{path}: skeleton file not found')
    readers = {'.pkl': _read_annotation_sample, '.txt': _read_pkummd,
               '.skeleton': _read_skeleton_suffix, '.npy': _read_npy}
    try:
        return readers[suffix](path, sample)
    except SkeletonInputError:
        raise
    except (RawDataError, AnnotationError) as err:
        raise SkeletonInputError(str(err)) from err
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise SkeletonInputError(f'{path}: unreadable skeleton file '
                                 f'({type(err).__name__}: {err})') from err


def _read_annotation_sample(path: str, sample) -> SkeletonSequence:
    """One sample of an annotation ``.pkl``, with its ground truth."""
    data = load_annotations(path)
    samples = data['annotations']
    names = [s['frame_dir'] for s in samples]
    if not samples:
        raise SkeletonInputError(f'{path}: the annotation file holds no '
                                 'sample')
    if sample is None:
        index = 0
    elif str(sample) in names:
        index = names.index(str(sample))
    elif str(sample).lstrip('-').isdigit() and -len(samples) <= int(
            sample) < len(samples):
        index = int(sample)
    else:
        raise SkeletonInputError(
            f'{path}: no sample {sample!r}; give a frame_dir (e.g. '
            f'{short_listing(names)}) or an index below {len(samples)}')
    chosen = samples[index]
    segments = chosen.get('segments')
    return SkeletonSequence(
        chosen['frame_dir'], np.asarray(chosen['keypoint']),
        f'{path}, sample {chosen["frame_dir"]!r}', data['meta'].get('fps'),
        None if segments is None else np.asarray(
            segments, dtype=np.int64).reshape(-1, 3),
        [str(name) for name in data['meta'].get('classes') or ()])


def _stem(path: str) -> str:
    return osp.basename(path).split('.')[0]


def _read_pkummd(path: str, sample=None) -> SkeletonSequence:
    """A PKU-MMD skeleton file (2 bodies, 30 fps)."""
    return SkeletonSequence(_stem(path), read_pkummd_skeleton(path), path,
                            DEFAULT_FPS)


def _read_skeleton_suffix(path: str, sample=None) -> SkeletonSequence:
    """A ``.skeleton`` file: NTU RGB+D (first line = the frame count), or
    PKU-MMD (whose lines hold 150 numbers)."""
    with open(path) as f:
        first = next((line for line in f if line.strip()), '')
    if len(first.replace(',', ' ').split()) > 1:
        return _read_pkummd(path)
    total_frames, tracks = read_ntu_skeleton(path)
    if total_frames == 0 or not tracks:
        raise SkeletonInputError(
            f'{path}: no skeleton to localize (' + (
                'empty file, 0 frames)' if total_frames == 0 else
                f'no body tracked in any of its {total_frames} frames)'))
    return SkeletonSequence(_stem(path),
                            select_bodies(tracks, total_frames), path,
                            DEFAULT_FPS)


def _read_npy(path: str, sample=None) -> SkeletonSequence:
    """A ``.npy`` array (no pickled objects)."""
    return SkeletonSequence(_stem(path), np.load(path, allow_pickle=False),
                            path)

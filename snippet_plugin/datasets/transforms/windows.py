"""Frame-label-aware temporal crops and padding of skeleton sequences.

The rule every transform here follows (and every new one must follow): a
transform that drops, reorders, pads or resamples frames moves all
frame-aligned arrays together, and records where each output frame came
from. The frame-aligned keys and what a padded frame gets:

* ``keypoint`` ``(M, T, V, C)``, frame axis 1: padded with 0 (a missing
  skeleton); likewise ``keypoint_score`` ``(M, T, V)``;
* ``frame_labels`` ``(T,)``: padded with -1 (:data:`UNLABELLED`);
* ``frame_mask`` ``(T,)``: padded with False (not a real frame);
* ``frame_inds`` ``(T,)``: padded with -1 (no original frame).

``frame_inds`` maps output frame ``t`` to its frame in the ORIGINAL sequence
(the one the dataset loaded); it is created on the first frame change, so a
missing ``frame_inds`` means the identity. ``total_frames`` always holds the
current number of frames (MMAction2's convention); ``ori_total_frames`` keeps
the length of the original sequence.

Pipelines:

* train: ``NormalizeSkeleton3D`` -> ``RandomWindowCrop(clip_len)`` ->
  ``FixPersonCount`` -> ``PackUntrimmedPoseInputs``;
* test, sliding windows (dataset ``window=dict(clip_len=L, stride=S)``):
  ``NormalizeSkeleton3D`` -> ``WindowCrop()`` -> ``FixPersonCount`` ->
  ``PackUntrimmedPoseInputs``;
* test, whole sequences: ``NormalizeSkeleton3D`` ->
  ``PadFrames(multiple_of=...)`` (batch size 1) or ``PadFrames(length=...)``
  (fixed length, batchable) -> ``FixPersonCount`` ->
  ``PackUntrimmedPoseInputs``.

Normalise before cropping, so that every window of a sequence shares the
sequence's reference frame.

Note:
    MMAction2's frame samplers (``UniformSampleFrames`` + ``PoseDecode``) and
    ``PreNormalize3D`` do not move ``frame_labels``; do not mix them in.
"""
import math
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ..annotation import UNLABELLED

FRAME_ALIGNED_KEYS = {
    'keypoint': (1, 0.),
    'keypoint_score': (1, 0.),
    'frame_labels': (0, UNLABELLED),
    'frame_mask': (0, False),
    'frame_inds': (0, -1),
}
"""Frame-aligned result keys: ``key -> (frame axis, padding value)``."""


def sliding_window_starts(total_frames: int, clip_len: int,
                          stride: int) -> np.ndarray:
    """Starts of the windows ``[s, s + clip_len)`` that cover a sequence.

    Windows start at ``0, stride, 2 * stride, ...`` until one reaches the
    last frame; that last window may run past the end (it is padded), so no
    frame is dropped. A sequence shorter than ``clip_len`` gets one window.

    Args:
        total_frames: Sequence length ``T >= 1``.
        clip_len: Window length ``L``.
        stride: Step between window starts, ``1 <= stride <= clip_len``.

    Returns:
        int64 array ``(W,)`` with ``W = 1 + ceil(max(T - L, 0) / stride)``.
    """
    if not 1 <= stride <= clip_len:
        raise ValueError(f'window stride must be in [1, clip_len={clip_len}]'
                         f' so that windows leave no gap, got {stride}')
    num_windows = 1 + math.ceil(max(total_frames - clip_len, 0) / stride)
    return stride * np.arange(num_windows, dtype=np.int64)


def current_num_frames(results: Dict) -> int:
    """Number of frames ``T`` of ``keypoint`` ``(M, T, V, C)``.

    Raises:
        ValueError: if another frame-aligned array has a different ``T``.
    """
    num_frames = results['keypoint'].shape[1]
    mismatched = {
        key: results[key].shape[axis]
        for key, (axis, _) in FRAME_ALIGNED_KEYS.items()
        if key in results and results[key].shape[axis] != num_frames
    }
    if mismatched:
        raise ValueError(f'frame-aligned arrays disagree with keypoint\'s '
                         f'{num_frames} frames: {mismatched}')
    return num_frames


def take_frames(results: Dict, indices: np.ndarray) -> Dict:
    """Re-index every frame-aligned array by ``indices``, in place.

    Args:
        results: Result dict with at least ``keypoint`` ``(M, T, V, C)``.
        indices: int ``(T_out,)`` indices into the current frames; ``-1``
            marks a padded frame.

    Returns:
        ``results`` with every key of :data:`FRAME_ALIGNED_KEYS` present
        re-indexed (padding filled with the key's padding value),
        ``frame_inds`` and ``frame_mask`` composed with the previous ones,
        and ``total_frames = T_out``.
    """
    num_frames = current_num_frames(results)
    indices = np.asarray(indices, dtype=np.int64)
    if indices.ndim != 1 or not np.all((indices >= -1)
                                       & (indices < num_frames)):
        raise ValueError(f'frame indices must be (T_out,) in [-1, '
                         f'{num_frames}), got {indices}')
    results.setdefault('frame_inds', np.arange(num_frames, dtype=np.int64))
    results.setdefault('frame_mask', np.ones(num_frames, dtype=bool))
    padded = indices < 0
    source = np.where(padded, 0, indices)
    for key, (axis, pad_value) in FRAME_ALIGNED_KEYS.items():
        if key not in results:
            continue
        taken = np.take(results[key], source, axis=axis)
        pad_shape = [1] * taken.ndim
        pad_shape[axis] = len(indices)
        taken[np.broadcast_to(padded.reshape(pad_shape),
                              taken.shape)] = pad_value
        results[key] = taken
    results['total_frames'] = len(indices)
    return results


def crop_indices(start: int, clip_len: int, num_frames: int) -> np.ndarray:
    """Indices of the window ``[start, start + clip_len)``, ``-1`` past T.

    Returns:
        int64 ``(clip_len,)``.
    """
    indices = start + np.arange(clip_len, dtype=np.int64)
    indices[indices >= num_frames] = -1
    return indices


@TRANSFORMS.register_module()
class RandomWindowCrop(BaseTransform):
    """Crop a random window of ``clip_len`` frames (training).

    The start is drawn uniformly from ``[0, T - clip_len]`` with NumPy's
    global generator (seeded by MMEngine's ``randomness`` config). A sequence
    shorter than ``clip_len`` is kept whole and zero-padded at the end; padded
    frames get label -1, mask False and ``frame_inds`` -1.

    Required keys: ``keypoint`` (M, T, V, C); optional frame-aligned keys.
    Modified keys: every frame-aligned key, ``total_frames``.
    Added keys: ``frame_inds``, ``frame_mask`` (if absent).

    Args:
        clip_len: Output length ``T_out``.
    """

    def __init__(self, clip_len: int) -> None:
        if clip_len < 1:
            raise ValueError(f'clip_len must be >= 1, got {clip_len}')
        self.clip_len = clip_len

    def transform(self, results: Dict) -> Dict:
        num_frames = current_num_frames(results)
        start = np.random.randint(max(num_frames - self.clip_len, 0) + 1)
        return take_frames(results,
                           crop_indices(start, self.clip_len, num_frames))

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(clip_len={self.clip_len})'


@TRANSFORMS.register_module()
class WindowCrop(BaseTransform):
    """Crop the dataset's window ``[window_start, window_start + window_len)``.

    :class:`UntrimmedPoseDataset` with ``window=dict(clip_len, stride)`` sets
    ``window_start`` and ``window_len = clip_len`` per item, so the window
    length is stated once, in the dataset. The last window of a sequence is
    zero-padded at the end (label -1, mask False, ``frame_inds`` -1).
    Without dataset windows (``window_start = 0``, ``window_len = T``) it
    only adds ``frame_inds``. It must see the whole original sequence (put it
    before any other frame-changing transform), since ``window_start`` is in
    original frame coordinates.

    Required keys: ``keypoint``, ``window_start``, ``window_len``.
    Modified keys: every frame-aligned key, ``total_frames``.
    Added keys: ``frame_inds``, ``frame_mask`` (if absent).
    """

    def transform(self, results: Dict) -> Dict:
        num_frames = current_num_frames(results)
        if 'frame_inds' in results and not np.array_equal(
                results['frame_inds'], np.arange(num_frames)):
            raise ValueError('WindowCrop needs the whole original sequence; '
                             'put it before other frame-changing transforms')
        return take_frames(
            results,
            crop_indices(results['window_start'], results['window_len'],
                         num_frames))


@TRANSFORMS.register_module()
class PadFrames(BaseTransform):
    """Zero-pad the end of a sequence; never crops.

    Give exactly one of ``multiple_of`` (pad ``T`` up to the next multiple,
    e.g. the backbone's total temporal stride, for whole-sequence testing at
    batch size 1) or ``length`` (pad every sequence to the same ``T`` so that
    whole sequences can be batched). Padded frames get label -1, mask False
    and ``frame_inds`` -1.

    Required keys: ``keypoint`` (M, T, V, C).
    Modified keys: every frame-aligned key, ``total_frames``.
    Added keys: ``frame_inds``, ``frame_mask`` (if absent).

    Args:
        multiple_of: Output ``T_out = ceil(T / multiple_of) * multiple_of``.
        length: Output ``T_out = length``; a longer sequence is an error.
    """

    def __init__(self,
                 multiple_of: Optional[int] = None,
                 length: Optional[int] = None) -> None:
        if (multiple_of is None) == (length is None):
            raise ValueError('give exactly one of multiple_of and length')
        if (multiple_of or length) < 1:
            raise ValueError('multiple_of / length must be >= 1')
        self.multiple_of = multiple_of
        self.length = length

    def transform(self, results: Dict) -> Dict:
        num_frames = current_num_frames(results)
        if self.length is None:
            multiple = self.multiple_of
            target = math.ceil(num_frames / multiple) * multiple
        elif num_frames > self.length:
            raise ValueError(f'{results.get("frame_dir")}: {num_frames} '
                             f'frames exceed PadFrames(length={self.length});'
                             ' frames are never dropped')
        else:
            target = self.length
        return take_frames(results, crop_indices(0, target, num_frames))

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(multiple_of={self.multiple_of}, '
                f'length={self.length})')

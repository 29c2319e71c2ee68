"""AimCLR's extreme augmentations, each with its own probability.

AimCLR (Guo et al., AAAI 2022) makes a third, "extremely augmented" view:
the normal augmentation (:class:`~.contrastive.TemporalPadCrop` +
:class:`~.contrastive.RandomShear`) followed by spatial flip, rotation,
Gaussian noise, temporal Gaussian blur and axis mask, in that order. None of
them moves, drops or reorders frames: every frame-aligned key except
``keypoint`` (and the joint axis of ``keypoint_score`` for the flip) is left
untouched. Random numbers come from NumPy's global generator, as in
:class:`~.contrastive.RandomShear` (seeded by MMEngine's ``randomness``).

:class:`AugmentView` applies a sub-pipeline to one view of the stacked
output of :class:`~.contrastive.ContrastiveViews`, which gives AimCLR's
three views without per-view pipelines::

    dict(type='ContrastiveViews', num_views=3, pipeline=normal_aug),
    dict(type='AugmentView', index=2, pipeline=[
        dict(type='SkeletonFlip', prob=0.5),
        dict(type='RandomAxisRotation', max_angle=30),
        dict(type='GaussianJitter', std=0.01, prob=0.5),
        dict(type='TemporalGaussianBlur', kernel_size=15, sigma=(0.1, 2.0),
             prob=0.5),
        dict(type='RandomAxisMask', prob=0.5)]),

Where AimCLR's public code (``feeder/tools.py``) departs from what its
augmentations are meant to do, the class docstrings say so.
"""
import copy
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ..annotation import NTU25_FLIP_PAIRS
from .normalize import axis_angle_matrix
from .windows import FRAME_ALIGNED_KEYS


def _check_prob(prob: float) -> None:
    if not 0 <= prob <= 1:
        raise ValueError(f'prob must be in [0, 1], got {prob}')


def _happens(prob: float) -> bool:
    """One Bernoulli draw from NumPy's global generator."""
    return np.random.rand() < prob


def flip_permutation(num_joints: int = 25) -> np.ndarray:
    """Joint order of the left-right mirrored skeleton.

    Returns:
        int64 ``(V,)``: ``perm[v]`` is the joint whose data joint ``v``
        takes (each left joint of :data:`NTU25_FLIP_PAIRS` swaps with its
        right twin; central joints stay).
    """
    perm = np.arange(num_joints, dtype=np.int64)
    for left, right in NTU25_FLIP_PAIRS:
        perm[left], perm[right] = right, left
    return perm


@TRANSFORMS.register_module()
class SkeletonFlip(BaseTransform):
    """Left-right mirror of the skeleton, with probability ``prob``.

    Swaps every (left, right) joint pair of :data:`NTU25_FLIP_PAIRS` and
    negates x, the left-right axis of normalised data (shoulders along x,
    :class:`NormalizeSkeleton3D`): the result is the mirror image, a
    plausible skeleton. AimCLR's code only swaps the joints (``mirror_x=
    False`` reproduces it), which leaves left limbs drawn on the right side.
    Flipping twice is the identity.

    Required keys: ``keypoint`` ``(M, T, V, C)``.
    Modified keys: ``keypoint``; ``keypoint_score`` ``(M, T, V)`` (joints
    swapped) if present.

    Args:
        prob: Probability of flipping.
        mirror_x: Also negate the x coordinate.
    """

    def __init__(self, prob: float = 0.5, mirror_x: bool = True) -> None:
        _check_prob(prob)
        self.prob = prob
        self.mirror_x = mirror_x

    def transform(self, results: Dict) -> Dict:
        if not _happens(self.prob):
            return results
        keypoint = results['keypoint']
        perm = flip_permutation(keypoint.shape[2])
        flipped = keypoint[:, :, perm].copy()
        if self.mirror_x:
            flipped[..., 0] *= -1
        results['keypoint'] = flipped
        if 'keypoint_score' in results:
            results['keypoint_score'] = results['keypoint_score'][:, :, perm]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'mirror_x={self.mirror_x})')


@TRANSFORMS.register_module()
class RandomAxisRotation(BaseTransform):
    """Rotation about one randomly chosen coordinate axis.

    With probability ``prob``: draw the axis uniformly from x, y, z and an
    angle uniformly from ``[0, max_angle]`` degrees, and rotate every joint
    ``p`` to ``R p``, counter-clockwise about the axis (right-hand rule; one
    matrix for all persons and frames; missing all-zero joints stay zero).
    AimCLR's code also draws ``U(0, 30)``, never negative, but its matrices
    turn clockwise: the same set of rotations about the opposite axes. AimCLR's
    code also rotates about each of the two other axes by ``U(0, 1)`` degrees;
    ``minor_max_angle=1`` reproduces that (rotations applied about x, then y,
    then z), the default 0 gives the paper's single-axis rotation.

    Required keys: ``keypoint`` ``(M, T, V, 3)``.
    Modified keys: ``keypoint`` (float32).

    Args:
        max_angle: Largest angle about the chosen axis, degrees.
        prob: Probability of rotating.
        minor_max_angle: Largest angle about the two other axes, degrees.
    """

    def __init__(self,
                 max_angle: float = 30.,
                 prob: float = 1.0,
                 minor_max_angle: float = 0.) -> None:
        _check_prob(prob)
        if max_angle < 0 or minor_max_angle < 0:
            raise ValueError('max_angle and minor_max_angle must be >= 0, '
                             f'got {max_angle}, {minor_max_angle}')
        self.max_angle = max_angle
        self.prob = prob
        self.minor_max_angle = minor_max_angle

    def random_matrix(self) -> np.ndarray:
        """One random rotation ``(3, 3)`` as described above."""
        main_axis = np.random.randint(3)
        rotation = np.eye(3)
        for axis in range(3):
            bound = (self.max_angle
                     if axis == main_axis else self.minor_max_angle)
            angle = np.deg2rad(np.random.uniform(0, bound))
            rotation = axis_angle_matrix(np.eye(3)[axis], angle) @ rotation
        return rotation

    def transform(self, results: Dict) -> Dict:
        if not _happens(self.prob):
            return results
        keypoint = results['keypoint']
        if keypoint.shape[-1] != 3:
            raise ValueError('RandomAxisRotation needs xyz keypoints, got '
                             f'{keypoint.shape[-1]} coordinates')
        results['keypoint'] = (keypoint @ self.random_matrix().T).astype(
            np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_angle={self.max_angle}, '
                f'prob={self.prob}, minor_max_angle={self.minor_max_angle})')


@TRANSFORMS.register_module()
class GaussianJitter(BaseTransform):
    """Add i.i.d. ``N(0, std^2)`` noise to every coordinate, with
    probability ``prob`` (AimCLR: std 0.01, p 0.5).

    As in AimCLR's code the noise also reaches all-zero (missing) joints;
    at std 0.01 they stay near zero. Padded frames (``frame_mask`` False)
    stay exactly zero: the noise is drawn for every frame (the same draws
    with or without padding) and dropped there.

    Required keys: ``keypoint`` ``(M, T, V, C)``.
    Modified keys: ``keypoint`` (float32).

    Args:
        std: Noise standard deviation, in the keypoints' unit.
        prob: Probability of adding noise.
    """

    def __init__(self, std: float = 0.01, prob: float = 0.5) -> None:
        _check_prob(prob)
        if std < 0:
            raise ValueError(f'std must be >= 0, got {std}')
        self.std = std
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        if not _happens(self.prob):
            return results
        keypoint = results['keypoint']
        noise = np.random.normal(0., self.std, size=keypoint.shape)
        if 'frame_mask' in results:
            noise *= results['frame_mask'][:, None, None]
        results['keypoint'] = (keypoint + noise).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(std={self.std}, prob={self.prob})'


def gaussian_blur_matrix(num_frames: int,
                         kernel_size: int,
                         sigma: float,
                         frame_mask: Optional[np.ndarray] = None
                         ) -> np.ndarray:
    """Row-stochastic ``(T, T)`` matrix of a truncated temporal Gaussian.

    Row ``t`` holds ``w(s - t) = exp(-(s - t)^2 / (2 sigma^2))`` for the
    frames ``s`` with ``|s - t| <= kernel_size // 2`` inside the sequence,
    divided by their sum. Near the ends the kernel is cut to the frames that
    exist and renormalised, so no frame is invented and a constant signal is
    kept exactly. Padded frames (``frame_mask`` False) do not exist in this
    sense: no real frame takes weight from them, and their rows are 0, so
    they stay zero.

    Args:
        num_frames: ``T >= 1``.
        kernel_size: Odd window length.
        sigma: Standard deviation in frames, ``> 0``.
        frame_mask: ``(T,)`` bool, the real frames; None: all.
    """
    offsets = np.arange(num_frames)[None, :] - np.arange(num_frames)[:, None]
    weights = np.exp(-offsets.astype(np.float64)**2 / (2 * sigma**2))
    weights[np.abs(offsets) > kernel_size // 2] = 0
    if frame_mask is not None:
        weights[:, ~frame_mask] = 0
        weights[~frame_mask] = 0
    sums = weights.sum(axis=1, keepdims=True)
    return weights / np.where(sums > 0, sums, 1)


@TRANSFORMS.register_module()
class TemporalGaussianBlur(BaseTransform):
    """1-D Gaussian smoothing over time of every coordinate of every joint,
    with probability ``prob``; ``sigma`` drawn from ``U(sigma[0], sigma[1])``
    frames each time (AimCLR: kernel 15, sigma 0.1-2, p 0.5).

    ``out[m, t] = sum_s W[t, s] keypoint[m, s]`` with ``W`` from
    :func:`gaussian_blur_matrix`: normalised weights, kernel truncated and
    renormalised at the sequence ends; the length is unchanged. AimCLR's code
    uses unnormalised weights (coordinates grow by up to ``sqrt(2 pi) sigma``
    ~ 5x at sigma 2) and zero padding (end frames shrink towards the
    origin); neither is reproduced. Padded frames (``frame_mask`` False)
    neither blur into real frames nor change.

    Required keys: ``keypoint`` ``(M, T, V, C)``.
    Modified keys: ``keypoint`` (float32).

    Args:
        kernel_size: Odd window length in frames.
        sigma: ``(low, high)`` bounds of the standard deviation, frames.
        prob: Probability of blurring.
    """

    def __init__(self,
                 kernel_size: int = 15,
                 sigma: Tuple[float, float] = (0.1, 2.0),
                 prob: float = 0.5) -> None:
        _check_prob(prob)
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd and positive, got '
                             f'{kernel_size}')
        if not 0 < sigma[0] <= sigma[1]:
            raise ValueError(f'sigma must be (low, high) with 0 < low <= '
                             f'high, got {sigma}')
        self.kernel_size = kernel_size
        self.sigma = tuple(sigma)
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        if not _happens(self.prob):
            return results
        keypoint = results['keypoint']
        sigma = np.random.uniform(*self.sigma)
        blur = gaussian_blur_matrix(keypoint.shape[1], self.kernel_size,
                                    sigma, results.get('frame_mask'))
        results['keypoint'] = np.einsum('ts,msvc->mtvc', blur,
                                        keypoint).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(kernel_size={self.kernel_size}, '
                f'sigma={self.sigma}, prob={self.prob})')


@TRANSFORMS.register_module()
class RandomAxisMask(BaseTransform):
    """Zero one coordinate axis (x, y or z, chosen uniformly) of every joint,
    with probability ``prob`` (AimCLR: p 0.5).

    Required keys: ``keypoint`` ``(M, T, V, C)``.
    Modified keys: ``keypoint``.

    Args:
        prob: Probability of masking.
    """

    def __init__(self, prob: float = 0.5) -> None:
        _check_prob(prob)
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        if not _happens(self.prob):
            return results
        keypoint = results['keypoint'].copy()
        keypoint[..., np.random.randint(keypoint.shape[-1])] = 0
        results['keypoint'] = keypoint
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'


@TRANSFORMS.register_module()
class AugmentView(BaseTransform):
    """Apply a sub-pipeline to one view of stacked contrastive views.

    Put after :class:`~.contrastive.ContrastiveViews`: row ``index`` of every
    frame-aligned array (``keypoint`` ``(V_n, M, T, V, C)``,
    ``keypoint_score``, ``frame_labels``, ``frame_mask``, ``frame_inds``
    ``(V_n, T)``) is cut out into a single-view results dict (other keys
    shared, deep-copied), ``pipeline`` runs on it, and the rows are written
    back. The sub-pipeline may move frames (frame-aligned keys move
    together) but must keep every array's shape. Other views are untouched.

    Required keys: ``keypoint`` ``(V_n, M, T, V, C)``.
    Modified keys: row ``index`` of every frame-aligned key.

    Args:
        index: The view to augment, ``0 <= index < V_n``.
        pipeline: Transforms (configs or callables) for that view.
    """

    def __init__(self, index: int,
                 pipeline: Sequence[Union[dict, Callable]]) -> None:
        if index < 0:
            raise ValueError(f'index must be >= 0, got {index}')
        self.index = index
        self.transforms: List[Callable] = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ]

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        if keypoint.ndim != 5 or not self.index < keypoint.shape[0]:
            raise ValueError(
                f'AugmentView(index={self.index}) needs stacked views '
                f'(V_n, M, T, V, C) with V_n > {self.index} (put it after '
                f'ContrastiveViews), got shape {keypoint.shape}')
        keys = [key for key in FRAME_ALIGNED_KEYS if key in results]
        view = copy.deepcopy(
            {k: v for k, v in results.items() if k not in keys})
        view.update({key: results[key][self.index].copy() for key in keys})
        for transform in self.transforms:
            view = transform(view)
        for key in keys:
            row = view[key]
            if row.shape != results[key].shape[1:]:
                raise ValueError(
                    f'AugmentView: the pipeline changed {key!r} from '
                    f'{results[key].shape[1:]} to {row.shape}; it must keep '
                    'the shape of the other views')
            stacked = results[key].copy()
            stacked[self.index] = row
            results[key] = stacked
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(index={self.index}, '
                f'pipeline={self.transforms})')

"""View normalisation of 3D skeleton sequences, frame count unchanged.

Implements the BABEL preprocessing rule of PAPER_NOTES ("centre on the root
joint; rotate so spine (joint 0->1) is along z and shoulders (8->4) along
x") as an online transform, with one rigid motion per sequence computed
from its reference frame. Unlike MMAction2's ``PreNormalize3D`` it never
drops all-zero frames (that would desynchronise frame labels).
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS

CENTRE_MODES = ('frame', 'sequence')

_EPS = 1e-8


def axis_angle_matrix(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rotation matrix ``(3, 3)`` of ``angle`` radians about ``axis``.

    Rodrigues' formula ``R = I + sin(a) K + (1 - cos(a)) K^2`` with ``K`` the
    cross-product matrix of the unit axis; counter-clockwise looking down the
    axis (right-hand rule). Rotate row vectors ``p (..., 3)`` with
    ``p @ R.T``.
    """
    x, y, z = np.asarray(axis, dtype=np.float64) / np.linalg.norm(axis)
    cross = np.array([[0., -z, y], [z, 0., -x], [-y, x, 0.]])
    return (np.eye(3) + np.sin(angle) * cross +
            (1. - np.cos(angle)) * cross @ cross)


def rotation_between(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The smallest rotation ``(3, 3)`` that turns ``source`` onto ``target``.

    The axis is ``source x target`` and the angle the one between them. For
    opposite vectors the axis is any one perpendicular to ``source``; for a
    zero-length vector (a degenerate skeleton) the identity is returned.
    """
    source = np.asarray(source, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if np.linalg.norm(source) < _EPS or np.linalg.norm(target) < _EPS:
        return np.eye(3)
    axis = np.cross(source, target)
    sin = np.linalg.norm(axis)
    cos = np.dot(source, target)
    if sin > _EPS * np.linalg.norm(source) * np.linalg.norm(target):
        return axis_angle_matrix(axis, np.arctan2(sin, cos))
    if cos > 0:
        return np.eye(3)
    helper = np.eye(3)[np.argmin(np.abs(source))]
    return axis_angle_matrix(np.cross(source, helper), np.pi)


def heading_rotation(vector: np.ndarray) -> np.ndarray:
    """Rotation ``(3, 3)`` about +z that turns the horizontal (x, y) part of
    ``vector`` onto +x; the identity if that part vanishes."""
    if np.hypot(vector[0], vector[1]) < _EPS:
        return np.eye(3)
    return axis_angle_matrix(
        np.array([0., 0., 1.]), -np.arctan2(vector[1], vector[0]))


def reference_frame(keypoint: np.ndarray) -> Optional[Tuple[int, int]]:
    """``(person, frame)`` that defines a sequence's coordinate frame.

    The first frame in which person 0 is present (its ``(V, C)`` skeleton is
    not all zero); if person 0 is never present, the first present frame of
    the next person, and so on. ``None`` for an all-zero sequence.

    Args:
        keypoint: ``(M, T, V, C)``.
    """
    present = np.any(keypoint != 0, axis=(2, 3))
    for person, frames in enumerate(present):
        if frames.any():
            return person, int(np.argmax(frames))
    return None


def frame_roots(keypoint: np.ndarray, root: int) -> np.ndarray:
    """Per-frame centre ``(T, 3)``: joint ``root`` of person 0, or of the
    first person present in that frame (zeros where nobody is)."""
    present = np.any(keypoint != 0, axis=(2, 3))  # (M, T)
    first = np.argmax(present, axis=0)  # (T,)
    return keypoint[first, np.arange(keypoint.shape[1]), root]


@TRANSFORMS.register_module()
class NormalizeSkeleton3D(BaseTransform):
    """Centre and rotate a 3D skeleton sequence into a body-fixed frame.

    From the reference frame (:func:`reference_frame`: the first frame in
    which person 0 is present) this computes ONE rotation and applies it to
    every person and frame, so turning relative to that frame is kept:

    1. translate so that joint ``root`` is at the origin: with
       ``centre='frame'`` (default) every frame is centred on its own root
       (that of person 0, or of the first person present in that frame), so
       the body stays at the origin however far it walks and a window of a
       long recording looks like any other; with ``centre='sequence'`` the
       reference frame's root is subtracted from every frame, which keeps
       the trajectory (walking away) in the coordinates;
    2. ``align_spine``: the smallest rotation (Rodrigues) that turns the
       vector ``zaxis[0] -> zaxis[1]`` (spine base -> spine mid) onto +z;
    3. ``align_shoulder``: with ``align_spine``, the rotation about +z that
       turns the horizontal part of ``xaxis[0] -> xaxis[1]`` onto +x, so the
       spine stays exactly on +z and the shoulder vector lies in the x-z
       plane with positive x (exactly on +x when it is perpendicular to the
       spine); without ``align_spine``, the smallest rotation of that vector
       onto +x.

    A pair ``(a, b)`` always means the vector from joint ``a`` to joint
    ``b``. With the defaults the body is upright along +z and its right
    shoulder -> left shoulder direction points along +x, so the person faces
    -y. (MMAction2's ``PreNormalize3D`` reads its ``xaxis`` pair the other
    way round, ``b -> a``; pass ``xaxis=(4, 8)`` to get its x direction. It
    also centres on joint 1, and its second rotation tilts the spine off z.)

    Missing persons/frames (an all-zero ``(V, C)`` skeleton) stay exactly
    zero; ``T`` never changes; an all-zero sequence is returned unchanged.

    Required keys: ``keypoint`` float ``(M, T, V, 3)``.
    Modified keys: ``keypoint`` (float32, same shape).

    Args:
        root: Joint moved to the origin. Defaults to 0 (spine base).
        centre: ``'frame'`` or ``'sequence'``, see step 1.
        zaxis: Joint pair aligned with +z. Defaults to ``(0, 1)``.
        xaxis: Joint pair aligned with +x. Defaults to ``(8, 4)``.
        align_spine: Rotate ``zaxis`` onto +z.
        align_shoulder: Rotate ``xaxis`` onto +x.
    """

    def __init__(self,
                 root: int = 0,
                 zaxis: Sequence[int] = (0, 1),
                 xaxis: Sequence[int] = (8, 4),
                 align_spine: bool = True,
                 align_shoulder: bool = True,
                 centre: str = 'frame') -> None:
        if centre not in CENTRE_MODES:
            raise ValueError(f'centre must be one of {CENTRE_MODES}, got '
                             f'{centre!r}')
        self.root = root
        self.centre = centre
        self.zaxis = tuple(zaxis)
        self.xaxis = tuple(xaxis)
        self.align_spine = align_spine
        self.align_shoulder = align_shoulder

    def rotation(self, skeleton: np.ndarray) -> np.ndarray:
        """The rotation ``(3, 3)`` for a centred reference skeleton ``(V, 3)``.
        """
        rotation = np.eye(3)
        if self.align_spine:
            spine = skeleton[self.zaxis[1]] - skeleton[self.zaxis[0]]
            rotation = rotation_between(spine, np.array([0., 0., 1.]))
        if self.align_shoulder:
            shoulder = rotation @ (
                skeleton[self.xaxis[1]] - skeleton[self.xaxis[0]])
            if self.align_spine:
                turn = heading_rotation(shoulder)
            else:
                turn = rotation_between(shoulder, np.array([1., 0., 0.]))
            rotation = turn @ rotation
        return rotation

    def transform(self, results: Dict) -> Dict:
        keypoint = np.asarray(results['keypoint'], dtype=np.float64)
        if keypoint.shape[-1] != 3:
            raise ValueError('NormalizeSkeleton3D needs xyz keypoints, got '
                             f'shape {keypoint.shape}')
        reference = reference_frame(keypoint)
        if reference is None:
            results['keypoint'] = keypoint.astype(np.float32)
            return results
        present = np.any(keypoint != 0, axis=(2, 3))[..., None, None]
        skeleton = keypoint[reference] - keypoint[reference][self.root]
        rotation = self.rotation(skeleton)
        if self.centre == 'frame':
            centred = keypoint - frame_roots(keypoint, self.root)[None, :,
                                                                  None]
        else:
            centred = keypoint - keypoint[reference][self.root]
        results['keypoint'] = np.where(present, centred @ rotation.T,
                                       0.).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(root={self.root}, '
                f'zaxis={self.zaxis}, xaxis={self.xaxis}, '
                f'align_spine={self.align_spine}, '
                f'align_shoulder={self.align_shoulder}, '
                f'centre={self.centre!r})')

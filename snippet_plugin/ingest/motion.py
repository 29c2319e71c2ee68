"""Skeleton motion in a y-up world: the pose representation of the builders.

A :class:`PoseSequence` is a root position per frame and one local rotation
per rotated joint, the form in which motion clips are resampled, turned and
blended (slerp) before forward kinematics. Every source the builders read
(the DeepMimic humanoid of MocapMix, the Bandai-Namco BVH files of
BandaiMix) is **y up**; the annotation format is **z up**, reached by
:func:`y_up_to_z_up` at the end.

The *heading* of a body is its facing direction about the up axis, read
from the root's left-right axis (see :func:`heading_angle`), which stays
well defined when the body leans, bows, crawls or lies down.
"""
from dataclasses import dataclass

import numpy as np

from .quaternion import quat_from_axis_angle, quat_rotate

UP_AXIS = np.array([0.0, 1.0, 0.0])
"""The up axis of every source frame (y)."""


@dataclass(frozen=True)
class PoseSequence:
    """A skeleton motion in a y-up source frame.

    Attributes:
        root_pos: ``(T, 3)`` root positions.
        rotations: ``(T, J, 4)`` local ``(w, x, y, z)`` rotations of the
            skeleton's rotated joints; the root's (index 0) is its world
            rotation.
    """
    root_pos: np.ndarray
    rotations: np.ndarray

    def __len__(self) -> int:
        return len(self.root_pos)

    def take(self, index) -> 'PoseSequence':
        """The frames selected by ``index`` (slice or index array)."""
        return PoseSequence(self.root_pos[index], self.rotations[index])

    @staticmethod
    def concatenate(parts) -> 'PoseSequence':
        """Join pose sequences along time."""
        return PoseSequence(
            np.concatenate([p.root_pos for p in parts]),
            np.concatenate([p.rotations for p in parts]))


def heading_angle(root_rotation: np.ndarray,
                  right_axis: np.ndarray) -> np.ndarray:
    """Facing direction about the up (``y``) axis, radians ``(...)``.

    ``right_axis`` is the root's local axis that points to the body's
    right; its world image's horizontal part is perpendicular to the facing
    direction ``up x right``. A heading ``a`` faces ``R_y(a) x`` when the
    right axis points along ``+z`` (the DeepMimic rest pose faces ``+x``
    with its right on ``+z``: heading 0).

    Args:
        root_rotation: ``(..., 4)`` root rotations.
        right_axis: ``(3,)`` unit vector in the root's frame.
    """
    right = quat_rotate(root_rotation, np.broadcast_to(
        right_axis, root_rotation.shape[:-1] + (3, )))
    return np.arctan2(right[..., 0], right[..., 2])


def yaw_quaternion(angle) -> np.ndarray:
    """Rotations ``(..., 4)`` by ``angle (...)`` about the up (``y``) axis."""
    return quat_from_axis_angle(UP_AXIS, angle)


def rotate_about_up(points: np.ndarray, angle: float) -> np.ndarray:
    """Rotate ``(..., 3)`` y-up points by ``angle`` about the ``y`` axis."""
    c, s = np.cos(angle), np.sin(angle)
    x, y, z = np.moveaxis(points, -1, 0)
    return np.stack([c * x + s * z, y, -s * x + c * z], axis=-1)


Y_UP_TO_Z_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
"""Rotation (``+90 deg`` about ``x``, determinant +1) from a y-up source
frame to the z-up frame of the annotation format."""


def y_up_to_z_up(points: np.ndarray) -> np.ndarray:
    """``(..., 3)`` y-up points -> right-handed z-up: ``(x, -z, y)``."""
    return points @ Y_UP_TO_Z_UP.T


__all__ = [
    'UP_AXIS', 'PoseSequence', 'heading_angle', 'yaw_quaternion',
    'rotate_about_up', 'Y_UP_TO_Z_UP', 'y_up_to_z_up'
]

"""Unit quaternion utilities, vectorised over leading dimensions.

Quaternions are arrays ``(..., 4)`` in ``(w, x, y, z)`` order (scalar first,
as in the DeepMimic clip files) with the Hamilton product, so
``quat_multiply(a, b)`` rotates by ``b`` first, then by ``a``. Shared by the
MocapMix and BandaiMix builders.
"""
import numpy as np

IDENTITY = np.array([1.0, 0.0, 0.0, 0.0])
"""The identity rotation ``(4,)``."""


def quat_normalize(q: np.ndarray) -> np.ndarray:
    """Scale quaternions ``(..., 4)`` to unit norm."""
    return q / np.linalg.norm(q, axis=-1, keepdims=True)


def quat_conjugate(q: np.ndarray) -> np.ndarray:
    """Conjugate ``(..., 4)``; the inverse rotation of a unit quaternion."""
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def quat_multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product ``a * b`` of broadcastable ``(..., 4)`` arrays."""
    aw, ax, ay, az = np.moveaxis(a, -1, 0)
    bw, bx, by, bz = np.moveaxis(b, -1, 0)
    return np.stack([
        aw * bw - ax * bx - ay * by - az * bz,
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
    ], axis=-1)


def quat_rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v (..., 3)`` by unit quaternions ``q (..., 4)``."""
    w = q[..., :1]
    u = q[..., 1:]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def quat_from_axis_angle(axis, angle) -> np.ndarray:
    """Quaternions ``(..., 4)`` rotating by ``angle (...)`` rad about ``axis``.

    Args:
        axis: Unit axis ``(3,)`` or ``(..., 3)``.
        angle: Angles in radians, broadcastable against ``axis[..., 0]``.
    """
    half = 0.5 * np.asarray(angle, dtype=np.float64)[..., None]
    return np.concatenate(
        [np.cos(half), np.sin(half) * np.asarray(axis, dtype=np.float64)],
        axis=-1)


def quat_slerp(q0: np.ndarray, q1: np.ndarray, t) -> np.ndarray:
    """Spherical linear interpolation along the shorter arc.

    ``q(t) = q0 * (q0^-1 q1)^t``, i.e. a constant angular velocity rotation
    from ``q0`` (``t = 0``) to ``q1`` (``t = 1``). ``q1`` is negated first
    where ``q0 . q1 < 0`` (the same rotation, on the near hemisphere).

    Args:
        q0: Unit quaternions ``(..., 4)``.
        q1: Unit quaternions ``(..., 4)``, broadcastable against ``q0``.
        t: Interpolation weights, broadcastable against ``q0[..., 0]``.

    Returns:
        Unit quaternions ``(..., 4)``.
    """
    t = np.asarray(t, dtype=np.float64)[..., None]
    dot = np.sum(q0 * q1, axis=-1, keepdims=True)
    q1 = np.where(dot < 0.0, -q1, q1)
    dot = np.clip(np.abs(dot), 0.0, 1.0)
    theta = np.arccos(dot)
    sin_theta = np.sin(theta)
    near = sin_theta < 1e-8
    safe_sin = np.where(near, 1.0, sin_theta)
    w0 = np.where(near, 1.0 - t, np.sin((1.0 - t) * theta) / safe_sin)
    w1 = np.where(near, t, np.sin(t * theta) / safe_sin)
    return quat_normalize(w0 * q0 + w1 * q1)


def quat_angle(q0: np.ndarray, q1: np.ndarray) -> np.ndarray:
    """Rotation angle ``(...)`` in radians between unit quaternions."""
    dot = np.abs(np.sum(q0 * q1, axis=-1))
    return 2.0 * np.arccos(np.clip(dot, 0.0, 1.0))

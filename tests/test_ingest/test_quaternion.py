"""Quaternions (snippet_plugin.ingest.quaternion): slerp end and mid points,
the shorter arc, rotation and the order of products."""
import numpy as np

from snippet_plugin.ingest.quaternion import (quat_multiply, quat_rotate,
                                              quat_slerp)
from helpers import axis_angle


def test_slerp_endpoints_and_midpoints():
    identity = np.array([1.0, 0, 0, 0])
    z90 = axis_angle([0, 0, 1], 90)
    np.testing.assert_allclose(quat_slerp(identity, z90, 0.0), identity)
    np.testing.assert_allclose(quat_slerp(identity, z90, 1.0), z90)
    np.testing.assert_allclose(quat_slerp(identity, z90, 0.5),
                               [np.cos(np.pi / 8), 0, 0, np.sin(np.pi / 8)])
    np.testing.assert_allclose(quat_slerp(identity, z90, 0.25),
                               axis_angle([0, 0, 1], 22.5))
    # 90 deg about x and about y: the midpoint is normalise(q0 + q1) =
    # (sqrt(2), sqrt(.5), sqrt(.5), 0) / sqrt(3).
    mid = quat_slerp(axis_angle([1, 0, 0], 90), axis_angle([0, 1, 0], 90),
                     0.5)
    np.testing.assert_allclose(
        mid, np.array([np.sqrt(2), np.sqrt(0.5), np.sqrt(0.5), 0]) /
        np.sqrt(3))
    # -q is the same rotation: the shorter arc is taken.
    np.testing.assert_allclose(quat_slerp(identity, -z90, 0.5),
                               [np.cos(np.pi / 8), 0, 0, np.sin(np.pi / 8)])


def test_rotate_and_multiply_order():
    z90 = axis_angle([0, 0, 1], 90)
    x90 = axis_angle([1, 0, 0], 90)
    np.testing.assert_allclose(quat_rotate(z90, np.array([1.0, 0, 0])),
                               [0, 1, 0], atol=1e-15)
    np.testing.assert_allclose(quat_rotate(x90, np.array([0.0, 0, 1])),
                               [0, -1, 0], atol=1e-15)
    # x90 first, then z90: y -> z -> z.  x -> x -> y.
    both = quat_multiply(z90, x90)
    np.testing.assert_allclose(quat_rotate(both, np.array([0.0, 1, 0])),
                               [0, 0, 1], atol=1e-15)
    np.testing.assert_allclose(quat_rotate(both, np.array([1.0, 0, 0])),
                               [0, 1, 0], atol=1e-15)

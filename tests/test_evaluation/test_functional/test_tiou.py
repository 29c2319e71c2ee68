"""segment_iou on half-open [start, end) frame segments: pairs, the matrix of
two sets, and empty sets, against hand-worked values."""
import numpy as np
import pytest

from snippet_plugin.evaluation.functional import segment_iou


@pytest.mark.parametrize(
    'a, b, expected',
    [
        ((0, 10), (5, 15), 5 / 15),  # partial overlap: 5 shared, 15 covered
        ((0, 5), (5, 9), 0.0),  # touching: frame 5 is not in [0, 5)
        ((2, 4), (0, 10), 2 / 10),  # containment: len(inner) / len(outer)
        ((3, 8), (3, 8), 1.0),  # identical
        ((0, 3), (7, 9), 0.0),  # disjoint
        ((0, 2), (1, 3), 1 / 3),  # one shared frame (1) out of 0, 1, 2
    ])
def test_segment_iou_pairs(a, b, expected):
    assert segment_iou([a], [b])[0, 0] == pytest.approx(expected)
    assert segment_iou([b], [a])[0, 0] == pytest.approx(expected)


def test_segment_iou_matrix_shape_and_entries():
    preds = np.array([[0, 10], [5, 15]])
    gts = np.array([[0, 5], [10, 20], [0, 20]])
    iou = segment_iou(preds, gts)
    assert iou.shape == (2, 3)
    expected = [[5 / 10, 0.0, 10 / 20], [0.0, 5 / 15, 10 / 20]]
    assert iou == pytest.approx(np.array(expected))


def test_segment_iou_empty_sets():
    assert segment_iou(np.zeros((0, 2)), [[0, 1]]).shape == (0, 1)
    assert segment_iou([[0, 1]], np.zeros((0, 2))).shape == (1, 0)

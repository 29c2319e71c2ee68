"""Skeleton plots: one timeline bar per label run, and the side and front views
of a standing skeleton."""
import numpy as np
from matplotlib.figure import Figure

from snippet_plugin.evaluation.functional import label_runs
from snippet_plugin.ingest.mocapmix import CLASSES, load_clip
from snippet_plugin.visualization import draw_label_timeline, project_view


def test_label_runs_and_timeline_classes():
    labels = np.array([3, 3, 14, 14, 14, 0, -1, -1, 3])
    assert label_runs(labels).tolist() == [[0, 2, 3], [2, 5, 14], [5, 6, 0],
                                           [6, 8, -1], [8, 9, 3]]
    ax = Figure().subplots()
    assert draw_label_timeline(ax, labels, CLASSES) == [0, 3]
    assert len(ax.collections) == 5  # one bar per run


def test_side_view_faces_right_and_stands_up():
    joints = load_clip('walk')[None]
    points = project_view(joints, [0, 20], view='side')
    for frame in points[:, 0]:
        assert frame[3, 1] > frame[0, 1] > frame[14, 1]  # head, pelvis, foot
        assert frame[15, 0] > frame[14, 0]  # toes ahead of the ankle
    front = project_view(joints, [0], view='front')[0, 0]
    assert front[4, 0] > front[8, 0]  # facing us, its left is on our right

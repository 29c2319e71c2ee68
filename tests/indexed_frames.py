"""Results dicts whose keypoints and labels encode their original frame, and
the check that a frame-changing transform kept keypoints, labels, mask and
indices aligned; shared by the transform tests."""
import numpy as np

from snippet_plugin.datasets.annotation import UNLABELLED


def label_of(frame):
    """The known label of original frame ``frame`` (classes 0..3, bg 4)."""
    return (3 * np.asarray(frame) + 1) % 5


def indexed_results(frames, persons=1, window_start=0, window_len=None):
    """Results whose keypoint[m, t, :, 0] = t + 1 (frame identity) and
    frame_labels[t] = label_of(t)."""
    keypoint = np.zeros((persons, frames, 25, 3), np.float32)
    keypoint[..., 0] = np.arange(frames)[None, :, None] + 1
    keypoint[..., 1] = np.arange(25)[None, None, :]
    return dict(keypoint=keypoint, total_frames=frames,
                keypoint_score=keypoint[..., 0] / 100,
                ori_total_frames=frames,
                frame_labels=label_of(np.arange(frames)).astype(np.int64),
                frame_mask=np.ones(frames, bool), window_start=window_start,
                window_len=window_len or frames, frame_dir='seq',
                segments=np.zeros((0, 3), np.int64), video_labels=[1, 3],
                fps=30)


def assert_aligned(out):
    """Every output frame carries the label and keypoints of the original
    frame ``frame_inds[t]``; padding is label -1, mask False, zeros."""
    inds = out['frame_inds']
    real = inds >= 0
    assert out['frame_labels'].dtype == np.int64
    assert out['frame_mask'].dtype == bool
    assert len(inds) == out['total_frames'] == out['keypoint'].shape[1]
    assert np.array_equal(out['frame_mask'], real)
    assert np.array_equal(out['frame_labels'][real], label_of(inds[real]))
    assert np.all(out['frame_labels'][~real] == UNLABELLED)
    assert np.array_equal(out['keypoint'][0, real, 0, 0], inds[real] + 1)
    assert np.all(out['keypoint'][:, ~real] == 0)
    np.testing.assert_allclose(out['keypoint_score'][0, real, 3],
                               (inds[real] + 1) / 100)
    assert np.all(out['keypoint_score'][:, ~real] == 0)

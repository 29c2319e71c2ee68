"""Builders of small annotation files shared by several test modules."""
from snippet_plugin.datasets.annotation import (derive_frame_labels,
                                                derive_video_labels,
                                                save_annotations)


def labelled_sample(name, keypoint, segments, num_classes, frame_labels=None):
    """An annotation sample whose derived fields agree with ``segments``.

    ``frame_labels`` defaults to the labels derived from ``segments``; pass
    a modified copy (e.g. with -1 frames) to override them.
    """
    frames = keypoint.shape[1]
    if frame_labels is None:
        frame_labels = derive_frame_labels(segments, frames, num_classes)
    return dict(frame_dir=name, total_frames=frames, keypoint=keypoint,
                segments=segments, frame_labels=frame_labels,
                label=derive_video_labels(segments))


def write_annotation_file(path, samples, classes, split):
    """Validate and save samples under ``meta``/``split``; return the dict."""
    data = dict(meta=dict(classes=list(classes), fps=30, layout='nturgb+d'),
                split=split, annotations=samples)
    save_annotations(data, str(path))
    return data

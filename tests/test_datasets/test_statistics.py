"""Dataset statistics printed by the prepare tools, against hand counts."""
import numpy as np

from snippet_plugin.datasets.statistics import (format_statistics,
                                                split_statistics)


def sample(name, frames, persons, segments):
    return dict(frame_dir=name, total_frames=frames,
                keypoint=np.zeros((persons, frames, 25, 3), np.float32),
                segments=segments)


def test_counts_per_split_and_class():
    data = dict(
        meta=dict(classes=['walk', 'kick'], fps=30),
        split=dict(train=['a', 'b'], val=['c']),
        annotations=[
            sample('a', 90, 1, [[0, 10, 0], [20, 30, 1], [40, 50, 1]]),
            sample('b', 30, 2, [[0, 5, 0]]),
            sample('c', 45, 1, []),
        ])
    stats = split_statistics(data)
    train = stats['train']
    assert (train['sequences'], train['frames']) == (2, 120)
    assert (train['min_frames'], train['max_frames']) == (30, 90)
    assert train['hours'] == 120 / 30 / 3600
    assert train['persons'] == {1: 1, 2: 1}
    assert train['instances'].tolist() == [2, 2]
    assert stats['val']['instances'].tolist() == [0, 0]
    table = format_statistics(data, unit='videos')
    assert table.splitlines()[0].startswith(
        'train: 2 videos, 120 frames (0.1 min), 30-90 frames each')
    assert table.splitlines()[-1].split() == ['1', 'kick', '2', '0']


def test_unlabelled_files_have_no_class_table():
    data = dict(meta=dict(fps=30), split=dict(train=['a']),
                annotations=[sample('a', 60, 2, [])])
    assert split_statistics(data)['train']['instances'] is None
    assert format_statistics(data, unit='clips') == (
        'train: 1 clips, 60 frames (0.0 min), 60-60 frames each, '
        'persons {2: 1}')

"""The BABEL annotation files (pretraining and Subsets 1-3) of a converted tiny
world: segments and frame labels by hand, 60-fps and 50-fps motion at 30 fps,
raw joints, which sequences each file holds, a round trip through the dataset,
and the report's counts."""
from pathlib import Path

import numpy as np
import pytest

from snippet_plugin.datasets import UntrimmedPoseDataset
from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.evaluation.functional import labels_to_segments
from babel_world import SUBSET1_101, make_world, run, samples


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('babel_world')
    make_world(root)
    result = run(root)
    return root, result


def test_subset_segments_and_frame_labels_by_hand(world):
    root, result = world
    data, by_sid = samples(result.files['babel_subset1.pkl'])
    assert data['meta']['classes'] == ['walk', 'stand', 'turn', 'jump']
    assert data['meta']['fps'] == 30
    sample = by_sid['101']
    assert sample['total_frames'] == 301
    assert sample['keypoint'].shape == (1, 301, 25, 3)
    assert sample['segments'] == SUBSET1_101
    expected = np.full(301, 4)
    # painted by hand: the shorter segment wins, on a tie the lower id
    for start, end, class_id in [(0, 60, 0), (45, 51, 2), (90, 105, 3),
                                 (151, 180, 1), (206, 210, 3), (240, 255, 2),
                                 (285, 301, 1)]:
        expected[start:end] = class_id
    np.testing.assert_array_equal(sample['frame_labels'], expected)
    assert sample['label'] == [0, 1, 2, 3]
    summary = result.summaries[1]
    assert summary.dropped_segments == 1
    assert summary.multi_label_frames == 6 + 15


def test_subset2_frames_from_60_fps_motion(world):
    _, result = world
    _, by_sid = samples(result.files['babel_subset2.pkl'])
    assert by_sid['102']['total_frames'] == 91
    assert by_sid['102']['segments'] == [[15, 30, 0], [30, 60, 3],
                                         [60, 87, 2]]


def test_every_frame_kept_and_a_gap_does_not_shift_later_labels(world):
    _, result = world
    _, by_sid = samples(result.files['babel_subset1.pkl'])
    sample = by_sid['201']
    assert sample['total_frames'] == 181  # 6 s at 120 fps -> 0..6 s at 30
    labels = sample['frame_labels']
    assert (labels[30:60] == 4).all()  # the gap is background
    assert labels[59] == 4 and labels[60] == 2 and labels[74] == 2
    assert labels[75] == 4 and labels[120] == 3 and labels[150] == 4
    # frame k holds the motion at k / 30 s: frame 60 is at 2.0 s
    np.testing.assert_allclose(sample['keypoint'][0, :, 0, 0],
                               np.arange(181) / 30, atol=1e-6)


def test_joints_are_stored_raw_at_30_fps(world):
    _, result = world
    data, by_sid = samples(result.files['babel_pretrain.pkl'])
    meta = data['meta']
    assert (meta['units'], meta['up_axis'], meta['normalised']) == ('m', 'z',
                                                                    False)
    keypoint = by_sid['103']['keypoint']  # 50 fps, interpolated
    assert keypoint.dtype == np.float32 and keypoint.shape == (1, 61, 25, 3)
    np.testing.assert_allclose(keypoint[0, :, 7, 0], np.arange(61) / 30,
                               atol=1e-6)
    np.testing.assert_array_equal(keypoint[0, 0, :, 1], np.arange(25))


def test_sequence_label_only_goes_to_pretraining_only(world):
    _, result = world
    data, by_sid = samples(result.files['babel_pretrain.pkl'])
    assert sorted(by_sid) == ['101', '102', '103']  # train only, 103 too
    assert data['split'] == {'train': ['101', '102', '103']}
    assert all('segments' not in s for s in by_sid.values())
    for subset in (1, 2, 3):
        _, subset_samples = samples(result.files[f'babel_subset{subset}.pkl'])
        assert '103' not in subset_samples and '202' not in subset_samples


def test_subset_files_hold_sequences_with_an_action_of_the_subset(world):
    _, result = world
    splits = {
        subset: load_annotations(result.files[f'babel_subset{subset}.pkl'])
        ['split']
        for subset in (1, 2, 3)
    }
    assert splits[1] == {'train': ['101'], 'val': ['201']}
    assert splits[2] == {'train': ['102'], 'val': []}
    assert splits[3] == {'train': [], 'val': ['203']}


def test_all_labelled_sequences_with_subset_sequences_all(tmp_path):
    make_world(tmp_path)
    result = run(tmp_path, subset_sequences='all')
    data, by_sid = samples(result.files['babel_subset3.pkl'])
    assert data['split'] == {'train': ['101', '102'],
                             'val': ['201', '203', '204']}
    np.testing.assert_array_equal(by_sid['204']['frame_labels'],
                                  np.full(10, 4))
    assert by_sid['204']['segments'] == []


def test_round_trip_through_the_dataset_recovers_the_segments(world):
    _, result = world
    path = result.files['babel_subset1.pkl']
    dataset = UntrimmedPoseDataset(path, split='val', label_mode='frame')
    item = dataset.get_data_info(0)
    assert item['frame_dir'] == '201'
    recovered = labels_to_segments(item['frame_labels'], background_id=4)
    assert recovered.tolist() == [[6, 30, 0], [60, 75, 2], [120, 150, 3]]
    assert recovered.tolist() == samples(path)[1]['201']['segments']


def test_report_counts_sequences_frames_and_instances(world):
    _, result = world
    subset1 = result.summaries[1]
    assert subset1.splits['train']['sequences'] == 1
    assert subset1.splits['train']['frames'] == 301
    assert subset1.splits['val']['frames'] == 181
    assert subset1.splits['train']['instances'].tolist() == [1, 2, 2, 3]
    assert result.summaries[0].splits['train']['frames'] == 301 + 91 + 61
    assert result.report.skipped == []
    assert Path(result.missing_list).read_text() == ''

"""Skeleton inputs of inference_localizer (snippet_plugin.apis.inputs): every
bad array and every bad file is named with its problem; tensors are arrays,
ragged lists are refused, and the model's joint count is required."""
import numpy as np
import pytest
import torch

from snippet_plugin.apis import SkeletonInputError, inference_localizer
from helpers import labelled_sample, write_annotation_file
from localizer_fixtures import CLASSES, rounded_skeleton

K = len(CLASSES)


def nan_skeleton():
    keypoint = rounded_skeleton(20)
    keypoint[0, 3, 5, 0] = np.nan
    keypoint[0, 4, 5, 2] = np.inf
    keypoint[0, 4, 9, 1] = np.nan
    return keypoint


BAD_ARRAYS = [
    (np.zeros((20, 75)), 'got 2 dimension(s), shape (20, 75)'),
    (np.zeros((1, 2, 20, 25, 3)), 'got 5 dimension(s)'),
    (np.zeros((20, 24, 3)), '24 joints per skeleton'),
    (np.zeros((1, 20, 25, 2)), '2 coordinate(s) per joint'),
    (np.zeros((0, 25, 3)), 'zero-length sequence'),
    (np.zeros((0, 20, 25, 3)), 'has no person'),
    (np.full((20, 25, 3), 'a'), 'must be numbers'),
    (nan_skeleton(), 'in 2 frame(s) [3, 4] at joint(s) [5 (left_elbow), '
     '9 (right_elbow)]'),
]


@pytest.mark.parametrize('array, message', BAD_ARRAYS)
def test_bad_arrays_are_named_with_their_problem(localizer, array, message):
    with pytest.raises(SkeletonInputError) as info:
        inference_localizer(localizer, array)
    assert 'array input' in str(info.value)
    assert message in str(info.value)


def test_tensors_are_arrays_and_ragged_lists_are_refused(localizer):
    keypoint = rounded_skeleton(21, seed=3)
    from_tensor = inference_localizer(localizer, torch.from_numpy(keypoint))
    assert from_tensor.frame_labels.tolist() == inference_localizer(
        localizer, keypoint).frame_labels.tolist()
    with pytest.raises(SkeletonInputError, match='not a rectangular array'):
        inference_localizer(localizer, [np.zeros((4, 25, 3)),
                                        np.zeros((5, 25, 3))])
    with pytest.raises(ValueError, match='fps must be > 0, got 0'):
        inference_localizer(localizer, keypoint, fps=0)


def test_the_model_joint_count_is_required(localizer):
    with pytest.raises(SkeletonInputError, match='the model needs 25'):
        inference_localizer(localizer, np.zeros((10, 18, 3)))


def test_bad_files_are_named_with_their_problem(localizer, tmp_path):
    garbage = tmp_path / 'garbage.txt'
    garbage.write_text('1 2 3\n')
    binary = tmp_path / 'binary.txt'
    binary.write_bytes(b'\xff\xfe\x00\x81' * 10)
    broken = tmp_path / 'broken.npy'
    broken.write_bytes(b'not an npy file')
    empty = tmp_path / 'S001C001P001R001A001.skeleton'
    empty.write_text('0\n')
    wrong = tmp_path / 'wrong.npy'
    np.save(wrong, np.zeros((5, 25, 3)) + np.nan)
    pkl = tmp_path / 'one.pkl'
    write_annotation_file(pkl, [labelled_sample(
        'only', rounded_skeleton(9), [], K)], CLASSES, dict(val=['only']))
    cases = [
        (tmp_path / 'clip.csv', None, "unknown skeleton file format '.csv'"),
        (tmp_path / 'missing.txt', None, 'skeleton file not found'),
        (garbage, None, 'line 1: 3 values, expected 150'),
        (binary, None, 'unreadable skeleton file (UnicodeDecodeError'),
        (broken, None, 'unreadable skeleton file'),
        (empty, None, 'no skeleton to localize (empty file, 0 frames)'),
        (wrong, None, 'NaN or infinite joint coordinates in 5 frame(s)'),
        (pkl, 'nope', "no sample 'nope'; give a frame_dir (e.g. [only])"),
        (pkl, 3, 'or an index below 1'),
    ]
    for path, sample, message in cases:
        with pytest.raises(SkeletonInputError) as info:
            inference_localizer(localizer, str(path), sample=sample)
        assert str(path.name) in str(info.value), str(info.value)
        assert message in str(info.value), str(info.value)
    with pytest.raises(SkeletonInputError, match='of type int'):
        inference_localizer(localizer, 5)

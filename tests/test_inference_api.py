"""init_localizer / inference_localizer: predictions equal a brute-force
forward pass of the normalised, padded sequence (or the average over its
sliding windows), every input format gives the same frame labels, seconds
are frames / fps, and every bad input is named with its problem."""
import numpy as np
import pytest
import torch

from helpers import (labelled_sample, write_annotation_file,
                     write_ntu_skeleton, write_pkummd_skeleton)
from localizer_fixtures import (CLASSES, FPS, STRIDE, localizer_config,
                                rounded_skeleton, save_checkpoint)
from snippet_plugin.apis import (SkeletonInputError, inference_localizer,
                                 init_localizer)
from snippet_plugin.datasets.transforms import NormalizeSkeleton3D
from snippet_plugin.evaluation.functional import frames_to_segments

K = len(CLASSES)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """``(config, checkpoint path, the saved model)``."""
    folder = tmp_path_factory.mktemp('localizer')
    cfg = localizer_config()
    path = folder / 'epoch_1.pth'
    model = save_checkpoint(cfg, path, seed=3, dataset_meta=dict(
        classes=list(CLASSES), fps=FPS))
    return cfg, str(path), model


@pytest.fixture(scope='module')
def localizer(trained):
    cfg, path, _ = trained
    return init_localizer(cfg, path)


def brute_force_scores(model, keypoint, start=0, length=None):
    """``(K + 1, n)`` softmax of the model on frames ``[start, start + n)``
    of the normalised sequence, zero-padded to a multiple of the stride
    (or to ``length``), persons cut to 1."""
    normalised = NormalizeSkeleton3D().transform(
        dict(keypoint=keypoint.copy()))['keypoint'][:1]
    frames = normalised[:, start:start + (length or normalised.shape[1])]
    real = frames.shape[1]
    padded_len = length or -(-real // STRIDE) * STRIDE
    padded = np.zeros((1, padded_len, 25, 3), np.float32)
    padded[:, :real] = frames
    with torch.no_grad():
        logits = model(torch.from_numpy(padded)[None])
    return torch.softmax(logits[0], dim=0)[:, :real].numpy()


def expected_segments(scores, fps, classes=CLASSES):
    segments, seg_scores = frames_to_segments(scores.astype(np.float64),
                                              background_id=K)
    rows = sorted(zip(segments.tolist(), seg_scores.tolist()),
                  key=lambda r: (r[0][0], -r[1]))
    return [dict(label=classes[c], class_id=c, score=score, start_frame=s,
                 end_frame=e, start_sec=s / fps, end_sec=e / fps)
            for (s, e, c), score in rows]


def test_checkpoint_weights_and_class_names_are_loaded(trained, localizer):
    _, _, saved = trained
    for key, value in saved.state_dict().items():
        assert torch.equal(localizer.state_dict()[key], value), key
    assert localizer.dataset_meta == dict(classes=list(CLASSES), fps=FPS)
    assert not localizer.training


@pytest.mark.parametrize('num_frames', [37, 301])
def test_array_input_matches_a_brute_force_forward_pass(localizer, trained,
                                                        num_frames):
    keypoint = rounded_skeleton(num_frames, seed=num_frames)
    expected = brute_force_scores(trained[2], keypoint)
    for array in (keypoint[0], keypoint):  # (T, V, C) and (M, T, V, C)
        result = inference_localizer(localizer, array)
        assert result.frame_scores.shape == (num_frames, K + 1)
        np.testing.assert_allclose(result.frame_scores, expected.T,
                                   atol=1e-5)
        assert result.frame_labels.tolist() == expected.argmax(0).tolist()
        wanted = expected_segments(expected, FPS)
        assert len(result.segments) == len(wanted)
        for got, want in zip(result.segments, wanted):
            assert got == {key: pytest.approx(value)
                           for key, value in want.items()}
        assert result.segments
        for segment in result.segments:
            assert 0 <= segment['start_frame'] < segment['end_frame'] \
                <= num_frames
            assert segment['label'] == CLASSES[segment['class_id']]


def test_sliding_windows_average_the_windows_on_shared_frames(trained):
    cfg, path, model = trained
    windowed = init_localizer(
        localizer_config(window=dict(clip_len=16, stride=8)), path)
    keypoint = rounded_skeleton(37, seed=4)
    result = inference_localizer(windowed, keypoint)
    # windows start at 0, 8, 16, 24 (the last padded): frames 0-7 in one
    # window, 8-31 in two, 32-36 in one
    total, count = np.zeros((K + 1, 37)), np.zeros(37)
    for start in (0, 8, 16, 24):
        real = min(16, 37 - start)
        total[:, start:start + real] += brute_force_scores(
            model, keypoint, start, 16)
        count[start:start + real] += 1
    assert count.tolist() == [1] * 8 + [2] * 24 + [1] * 5
    np.testing.assert_allclose(result.frame_scores, (total / count).T,
                               atol=1e-5)
    assert len(result.frame_labels) == 37


def test_every_file_format_gives_the_array_result(localizer, tmp_path):
    keypoint = rounded_skeleton(41, seed=7)
    reference = inference_localizer(localizer, keypoint[0])
    pkl = tmp_path / 'seqs.pkl'
    write_annotation_file(pkl, [
        labelled_sample('other', rounded_skeleton(20, seed=1), [], K),
        labelled_sample('mine', keypoint, [[5, 15, 1]], K)],
        CLASSES, dict(val=['other', 'mine']))
    pku = tmp_path / '0002-L.txt'
    write_pkummd_skeleton(pku, keypoint[0])
    ntu = tmp_path / 'S001C001P001R001A001.skeleton'
    write_ntu_skeleton(ntu, 41, [('7', range(41), keypoint[0])])
    pku_named_skeleton = tmp_path / '0003-M.skeleton'
    write_pkummd_skeleton(pku_named_skeleton, keypoint[0])
    npy = tmp_path / 'recording.npy'
    np.save(npy, keypoint)
    inputs = [(pkl, 'mine', 'mine'), (pkl, 1, 'mine'), (pku, None, '0002-L'),
              (ntu, None, 'S001C001P001R001A001'),
              (pku_named_skeleton, None, '0003-M'), (npy, None, 'recording')]
    for path, sample, name in inputs:
        result = inference_localizer(localizer, str(path), sample=sample)
        assert result.name == name
        assert result.frame_labels.tolist() == \
            reference.frame_labels.tolist(), path
        np.testing.assert_allclose(result.frame_scores,
                                   reference.frame_scores, atol=1e-6)
    from_pkl = inference_localizer(localizer, pkl, sample='mine')
    assert from_pkl.ground_truth.segments.tolist() == [[5, 15, 1]]
    assert from_pkl.ground_truth.note is None  # the model's own classes
    rows, classes = from_pkl.timeline_rows()
    assert classes == list(CLASSES)
    assert rows[0][1].tolist() == [K] * 5 + [1] * 10 + [K] * 26
    assert reference.ground_truth is None


def test_seconds_are_frames_over_fps(localizer, tmp_path):
    keypoint = rounded_skeleton(37, seed=2)
    given = inference_localizer(localizer, keypoint, fps=12.5)
    from_model = inference_localizer(localizer, keypoint)
    pku = tmp_path / 'a.txt'
    write_pkummd_skeleton(pku, keypoint[0])
    from_file = inference_localizer(localizer, pku)
    for result, fps in ((given, 12.5), (from_model, FPS), (from_file, 30)):
        assert result.fps == fps
        for segment in result.segments:
            assert segment['start_sec'] == segment['start_frame'] / fps
            assert segment['end_sec'] == segment['end_frame'] / fps


def test_class_names_override_and_count_check(trained):
    cfg, path, _ = trained
    named = init_localizer(cfg, path, class_names=['a', 'b'])
    assert named.dataset_meta['classes'] == ['a', 'b']
    with pytest.raises(ValueError, match='3 class names for a model of 2'):
        init_localizer(cfg, path, class_names=['a', 'b', 'c'])


def test_class_names_fall_back_to_the_config_then_generic(tmp_path):
    cfg = localizer_config(metainfo=dict(classes=['x', 'y'], fps=10))
    path = tmp_path / 'no_meta.pth'
    save_checkpoint(cfg, path)
    assert init_localizer(cfg, str(path)).dataset_meta == dict(
        classes=['x', 'y'], fps=10)
    bare = localizer_config(ann_file=str(tmp_path / 'absent.pkl'))
    assert init_localizer(bare, str(path)).dataset_meta == dict(
        classes=['class_0', 'class_1'], fps=None)
    ann = tmp_path / 'ann.pkl'
    write_annotation_file(ann, [], ['p', 'q'], dict(val=[]))
    from_file = localizer_config(ann_file=str(ann))
    assert init_localizer(from_file, str(path)).dataset_meta['classes'] == \
        ['p', 'q']


def test_a_checkpoint_of_another_model_is_refused(tmp_path):
    path = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'head.classifier.weight': torch.zeros(1)}),
               path)
    with pytest.raises(ValueError, match='other.pth.*do not fit'):
        init_localizer(localizer_config(), str(path))


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


def test_a_model_without_frame_scores_is_refused(localizer, monkeypatch):
    monkeypatch.setattr(localizer, 'test_step',
                        lambda data: data['data_samples'])
    with pytest.raises(TypeError, match='set no pred_frame_scores'):
        inference_localizer(localizer, rounded_skeleton(9))


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

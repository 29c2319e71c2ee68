"""init_localizer / inference_localizer: predictions equal a brute-force
forward pass of the normalised, padded sequence (or the average over its
sliding windows), every input format gives the same frame labels, seconds are
frames / fps, class names come from the checkpoint, the config or the caller;
ground truth of an annotation file is mapped to the model's classes by name, a
file whose classes differ says so, and no ground-truth segment disappears into
background."""
import numpy as np
import pytest
import torch

from snippet_plugin.apis import inference_localizer, init_localizer
from snippet_plugin.apis.inference import map_ground_truth
from snippet_plugin.apis.inputs import SkeletonSequence
from snippet_plugin.datasets.transforms import NormalizeSkeleton3D
from snippet_plugin.evaluation.functional import (frames_to_segments,
                                                  smooth_frame_scores)
from helpers import (labelled_sample, write_annotation_file,
                     write_ntu_skeleton, write_pkummd_skeleton)
from localizer_fixtures import (CLASSES, FPS, STRIDE, localizer_config,
                                rounded_skeleton, save_checkpoint)

K = len(CLASSES)


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


def test_sliding_windows_merge_before_the_checkpoint_smooths(trained):
    cfg, path, model = trained
    windowed = init_localizer(
        localizer_config(window=dict(clip_len=16, stride=8)), path)
    keypoint = rounded_skeleton(37, seed=4)
    merged = inference_localizer(windowed, keypoint).frame_scores.T
    windowed.set_smoothing_window(0.2)   # as a checkpoint would carry it
    result = inference_localizer(windowed, keypoint)
    assert result.smoothing_s == 0.2 and result.to_dict()['smoothing_s'] == (
        0.2)
    # 0.2 s at 25 fps: 7 frames, centred, cut at the sequence's edges
    np.testing.assert_allclose(result.frame_scores.T, smooth_frame_scores(
        merged.astype(np.float64), window=7), atol=1e-6)
    assert windowed.smoothing_window_s == 0.2, 'the model keeps its window'


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


def test_a_model_without_frame_scores_is_refused(localizer, monkeypatch):
    monkeypatch.setattr(localizer, 'test_step',
                        lambda data: data['data_samples'])
    with pytest.raises(TypeError, match='set no pred_frame_scores'):
        inference_localizer(localizer, rounded_skeleton(9))


# ---- ground truth mapped to the model's classes -----------------------------


MODEL = ['walk', 'kick', 'roll']


def sequence(segments, classes):
    return SkeletonSequence('seq', np.zeros((1, 50, 25, 3)), 'ann.pkl, '
                            "sample 'seq'", 30, np.array(segments), classes)


def test_the_same_classes_keep_their_ids_without_a_note():
    truth = map_ground_truth(sequence([[0, 5, 2]], MODEL), MODEL)
    assert truth.segments.tolist() == [[0, 5, 2]]
    assert truth.classes == MODEL and truth.note is None


def test_other_classes_are_mapped_by_name_and_unknown_ones_kept():
    # A PKU-MMD-like file: 'eat meal/snack' is id 0 there, 'roll' id 2 in
    # the model; 'Kick ' matches 'kick' (case and spaces ignored).
    file_classes = ['eat meal/snack', 'Kick ', 'walk', 'wave']
    truth = map_ground_truth(
        sequence([[0, 10, 0], [10, 20, 1], [20, 30, 2], [30, 35, 0]],
                 file_classes), MODEL)
    # model ids: walk 0, kick 1, roll 2; then eat meal/snack 3, wave 4.
    assert truth.segments.tolist() == [[0, 10, 3], [10, 20, 1], [20, 30, 0],
                                       [30, 35, 3]]
    assert truth.classes == MODEL + ['eat meal/snack', 'wave']
    assert truth.note == (
        "ann.pkl, sample 'seq': the file's 4 classes differ from the "
        "model's 3; ground truth mapped by name: 2 of the file's classes are"
        " the model's (1 with another id); not among the model's classes, "
        "drawn under their own names: 'eat meal/snack' (2 segment(s))")


def test_a_file_without_class_names_reads_ids_as_the_model_and_says_so():
    truth = map_ground_truth(sequence([[0, 5, 1], [5, 9, 4]], []), MODEL)
    assert truth.segments.tolist() == [[0, 5, 1], [5, 9, 4]]
    assert truth.classes == MODEL + ['file class 3', 'file class 4']
    assert truth.note == (
        "ann.pkl, sample 'seq': the file names no classes; its ground-truth "
        "class ids are read as the model's; ids [4] are beyond the model's 3"
        ' classes and drawn as "file class <id>"')


def test_no_ground_truth_gives_none():
    plain = SkeletonSequence('x', np.zeros((1, 5, 25, 3)), 'array input')
    assert map_ground_truth(plain, MODEL) is None

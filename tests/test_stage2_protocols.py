"""What the Stage-2 protocols rely on (issue 5): padded frames change neither
the loss nor the metric, weak supervision reads no frame label from data to
loss, and semi-supervised subsets are reproducible and nested."""
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from mmaction.registry import MODELS
from snippet_plugin.datasets import untrimmed_pose_dataset
from snippet_plugin.datasets.annotation import UNLABELLED, load_annotations
from snippet_plugin.datasets.untrimmed_pose_dataset import (
    UntrimmedPoseDataset, select_labelled, sequence_rank)
from snippet_plugin.evaluation import TemporalLocalizationMetric
from helpers import labelled_sample, write_annotation_file
from test_skeleton_localizer import (K, NUM_FRAMES, build, sample,
                                           skeletons)

NUM_VALID = 30
PAD = NUM_FRAMES - NUM_VALID
CLASSES = ('walk', 'jump')


def padded_logits(real, seed=9):
    """``real`` logits ``(N, K + 1, T_v)`` followed by adversarial padding
    logits (large, random) up to ``NUM_FRAMES`` frames."""
    generator = torch.Generator().manual_seed(seed)
    garbage = 50 * torch.randn(real.shape[0], K + 1, PAD,
                               generator=generator)
    return torch.cat([real, garbage], dim=2)


def real_logits(num_samples=2, seed=4):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(num_samples, K + 1, NUM_VALID, generator=generator)


@pytest.mark.parametrize('supervision', ['frame', 'weak'])
def test_padded_frames_never_change_the_loss(supervision, monkeypatch):
    model = build(supervision=supervision)
    logits = real_logits()
    labels = torch.randint(0, K + 1, (2, NUM_VALID),
                           generator=torch.Generator().manual_seed(3))
    garbage_labels = torch.tensor([99, -1, 0, K, 5, 1, 99])
    unpadded = [sample(labels[n], video_labels=[n % K]) for n in range(2)]
    padded = [
        sample(torch.cat([labels[n], garbage_labels]), num_valid=NUM_VALID,
               video_labels=[n % K]) for n in range(2)
    ]
    monkeypatch.setattr(model.head, 'forward', lambda features: logits)
    plain = model.loss(skeletons(num_frames=NUM_VALID), unpadded)
    monkeypatch.setattr(model.head, 'forward',
                        lambda features: padded_logits(logits))
    with_padding = model.loss(skeletons(), padded)
    assert plain.keys() == with_padding.keys() == {f'loss_{supervision}'}
    for key, value in plain.items():
        assert torch.allclose(with_padding[key], value, atol=1e-6)
    if supervision == 'frame':
        # hand check: mean cross-entropy over the 2 x 30 real frames
        expected = torch.nn.functional.cross_entropy(logits, labels)
        assert torch.allclose(plain['loss_frame'], expected, atol=1e-6)


def metric_of(results):
    metric = TemporalLocalizationMetric()
    metric.dataset_meta = dict(classes=list(CLASSES))
    metric.process(None, [r.to_dict() for r in results])
    return metric.compute_metrics(metric.results)


def test_padded_frames_never_change_the_predictions_or_the_metric(
        monkeypatch):
    model = build(postprocess=dict(thresholds=(0.3, 0.5))).eval()
    logits = real_logits(num_samples=1) * 3
    gt = np.array([[3, 12, 0], [15, 27, 1]])

    def predicted(inputs, logits_value, num_valid):
        monkeypatch.setattr(model.head, 'forward', lambda x: logits_value)
        data_sample = sample(torch.zeros(logits_value.shape[2]),
                             num_valid=num_valid, total_frames=NUM_VALID,
                             name='seq')
        data_sample.set_metainfo(dict(gt_segments=gt))
        return model.predict(inputs, [data_sample])

    [plain] = predicted(skeletons(1, NUM_VALID), logits, NUM_VALID)
    [padded] = predicted(skeletons(1), padded_logits(logits), NUM_VALID)
    assert plain.pred_frame_labels.shape == (NUM_VALID, )
    assert torch.equal(plain.pred_frame_labels, padded.pred_frame_labels)
    # equal up to float rounding (the softmax runs on a longer tensor)
    assert torch.allclose(plain.pred_frame_scores, padded.pred_frame_scores,
                          rtol=0, atol=1e-6)
    np.testing.assert_array_equal(plain.pred_segments, padded.pred_segments)
    np.testing.assert_allclose(plain.pred_segment_scores,
                               padded.pred_segment_scores, rtol=0, atol=1e-6)
    # frame labels with padding appended (argmax of the garbage logits)
    # are scored on the real frames only
    padded.pred_frame_labels = torch.cat([
        padded.pred_frame_labels,
        torch.full((PAD, ), K - 1, dtype=torch.long)
    ])
    plain_metrics, padded_metrics = metric_of([plain]), metric_of([padded])
    assert plain_metrics.keys() == padded_metrics.keys()
    for key, value in plain_metrics.items():
        assert padded_metrics[key] == pytest.approx(value, abs=1e-9), key
    truth = np.full(NUM_VALID, K)
    truth[3:12], truth[15:27] = 0, 1
    accuracy = 100 * np.mean(plain.pred_frame_labels.numpy() == truth)
    assert plain_metrics['acc'] == pytest.approx(accuracy)


def weak_annotation_file(tmp_path):
    """Three sequences with segments (2 classes) and exact frame labels."""
    rng = np.random.default_rng(0)
    segments = ([[2, 10, 0]], [[5, 20, 1], [25, 35, 0]], [[0, 40, 1]])
    samples = [
        labelled_sample(f'seq{i}',
                        rng.normal(size=(1, 40, 25, 3)).astype(np.float32),
                        seg, len(CLASSES)) for i, seg in enumerate(segments)
    ]
    path = tmp_path / 'weak.pkl'
    write_annotation_file(path, samples, CLASSES,
                          dict(train=[s['frame_dir'] for s in samples]))
    return str(path)


WEAK_PIPELINE = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='PadFrames', length=NUM_FRAMES + 3),
    dict(type='FixPersonCount', num_person=1),
    dict(type='PackUntrimmedPoseInputs'),
]


def weak_batch(path):
    dataset = UntrimmedPoseDataset(path, split='train', label_mode='video',
                                   pipeline=WEAK_PIPELINE,
                                   serialize_data=False)
    return pseudo_collate([dataset[i] for i in range(len(dataset))])


def test_weak_training_reads_no_frame_label(tmp_path, monkeypatch):
    path = weak_annotation_file(tmp_path)
    honest = weak_batch(path)
    original = load_annotations(path)

    def with_garbage_frame_labels(_):
        data = load_annotations(path)
        for item in data['annotations']:
            item['frame_labels'] = np.full(item['total_frames'], 99)
        return data

    def without_frame_labels(_):
        data = load_annotations(path)
        for item in data['annotations']:
            del item['frame_labels']
        return data

    model = build(supervision='weak').eval()

    def weak_loss(batch):
        data = model.data_preprocessor(batch, False)
        with torch.no_grad():
            return model.loss(data['inputs'], data['data_samples'])

    expected = weak_loss(honest)
    for loader in (with_garbage_frame_labels, without_frame_labels):
        monkeypatch.setattr(untrimmed_pose_dataset, 'load_annotations',
                            loader)
        batch = weak_batch(path)
        for data_sample in batch['data_samples']:
            assert bool((data_sample.gt_frame_labels == UNLABELLED).all())
        assert torch.equal(weak_loss(batch)['loss_weak'],
                           expected['loss_weak'])
    # the targets are the classes of each sequence's segments, nothing else
    targets = model.head.video_label_targets(honest['data_samples'], 'cpu')
    assert targets.tolist() == [[1., 0.], [1., 1.], [0., 1.]]
    assert [len(s['segments']) for s in original['annotations']] == [1, 2, 1]


FRACTIONS = (0.1, 0.2, 0.3, 0.4)


def nested(subsets):
    return all(a <= b for a, b in zip(subsets, subsets[1:]))


def test_semi_subsets_are_nested_even_for_classes_without_a_stratum():
    # Class 9 is in 3 sequences of each of 4 strata (12 in all, more than any
    # stratum's class), so it is nobody's rarest class and may be left out
    # by small strata prefixes; the old rule (cover from the selection)
    # broke nesting here for some seeds.
    labels = {f's{s}_{i}': [s] + ([9] if i < 3 else [])
              for s in range(4) for i in range(10)}
    for seed in range(60):
        subsets = [select_labelled(labels, f, seed) for f in FRACTIONS]
        assert nested(subsets), seed
        for subset in subsets:
            assert {c for n in subset for c in labels[n]} == {0, 1, 2, 3, 9}
        strata_firsts = {min((n for n in labels if n.startswith(f's{s}_')),
                             key=lambda n: sequence_rank(seed, n))
                         for s in range(4)}
        holders = [n for n in labels if 9 in labels[n]]
        if not any(9 in labels[n] for n in strata_firsts):
            # the lowest-ranked holder of class 9 is in every subset
            first = min(holders, key=lambda n: sequence_rank(seed, n))
            assert all(first in subset for subset in subsets)


def test_semi_subsets_are_nested_and_reproducible_on_random_label_sets():
    rng = np.random.default_rng(1)
    for _ in range(100):
        num_classes = int(rng.integers(2, 7))
        labels = {
            f'v{i}': sorted(set(rng.integers(0, num_classes,
                                             rng.integers(0, 4)).tolist()))
            for i in range(int(rng.integers(5, 50)))
        }
        seed = int(rng.integers(100))
        subsets = [select_labelled(labels, f, seed) for f in FRACTIONS]
        assert nested(subsets)
        shuffled = dict(reversed(list(labels.items())))
        assert select_labelled(shuffled, 0.2, seed) == subsets[1]


def test_semi_datasets_are_nested_by_frame_dir(tmp_path):
    rng = np.random.default_rng(2)
    samples = []
    for i in range(30):
        start = int(rng.integers(0, 20))
        segments = [[start, start + 10, int(rng.integers(0, 2))]]
        samples.append(
            labelled_sample(f'v{i:02d}',
                            np.zeros((1, 40, 25, 3), np.float32), segments,
                            len(CLASSES)))
    path = tmp_path / 'semi.pkl'
    write_annotation_file(path, samples, CLASSES,
                          dict(train=[s['frame_dir'] for s in samples]))

    def names(fraction, seed):
        dataset = UntrimmedPoseDataset(str(path), split='train',
                                       label_fraction=fraction,
                                       label_seed=seed,
                                       serialize_data=False)
        return {dataset.get_data_info(i)['frame_dir']
                for i in range(len(dataset))}

    for seed in (0, 1):
        subsets = [names(f, seed) for f in FRACTIONS]
        assert nested(subsets)
        assert subsets == [names(f, seed) for f in FRACTIONS]
        assert len(subsets[0]) < len(subsets[-1]) < 30
    assert names(0.2, 0) != names(0.2, 1)

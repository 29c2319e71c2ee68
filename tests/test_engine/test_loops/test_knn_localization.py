"""KNNLocalizationLoop: memory bank, k-NN vote, segments, runner roles.

A stub model (registered for the tests only) gives either cheat features
(the one-hot of each frame's class, read from the keypoints) or random
features (a fixed projection of one joint's coordinates), so every result is
checked against an answer computed here independently (brute force).
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn

from mmaction.registry import HOOKS, MODELS
from helpers import fused_frame_rows, labelled_sample, write_annotation_file
from snippet_plugin.datasets.annotation import UNLABELLED, derive_frame_labels

NUM_CLASSES = 2
BACKGROUND = NUM_CLASSES
PROJECTED = 8
UNLABELLED_TRAIN_FRAMES = slice(5, 9)


@MODELS.register_module(name='KNNFeatureStubForTests', force=True)
class FeatureStub(BaseModel):
    """Two feature levels: frame rate (0) and every second frame (1).

    ``features='onehot'``: the one-hot ``(K + 2,)`` of the code in joint 0's
    x (class + 1, 0 on padding). ``features='random'``: joint 1's xyz times a
    fixed ``(3, 8)`` matrix.
    """

    def __init__(self, features='onehot'):
        super().__init__(data_preprocessor=dict(type='ActionDataPreprocessor'))
        self.features = features
        generator = torch.Generator().manual_seed(0)
        self.projection = nn.Parameter(
            torch.randn(3, PROJECTED, generator=generator))

    def frame_features(self, inputs):
        """``(N, M, T, V, C)`` -> ``(N, C', T)``."""
        if self.features == 'onehot':
            code = inputs[:, 0, :, 0, 0].round().long()
            return F.one_hot(code, NUM_CLASSES + 2).float().transpose(1, 2)
        return (inputs[:, 0, :, 1, :] @ self.projection).transpose(1, 2)

    def extract_feat(self, inputs):
        features = self.frame_features(inputs)
        return features, features[..., ::2]

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.extract_feat(inputs)


@HOOKS.register_module(name='HookRecorderForTests', force=True)
class HookRecorder(Hook):
    """Records the names of the val/test hooks called, and the metrics."""
    calls = []
    metrics = {}


def recorder(name):
    """A hook method that records its own name (and ``metrics``)."""

    def record(self, runner, *args, **kwargs):
        HookRecorder.calls.append(name)
        if 'metrics' in kwargs:
            HookRecorder.metrics[name] = kwargs['metrics']

    return record


for _name in [f'{when}_{role}{stage}' for role in ('val', 'test')
              for when in ('before', 'after')
              for stage in ('', '_epoch', '_iter')]:
    setattr(HookRecorder, _name, recorder(_name))


def write_dataset(path, num_train=6, num_val=3, seed=0):
    """Sequences with actions separated by >= 3 background frames.

    Joint 0's x holds ``label + 1``; joint 1 is random; train sequence 0 has
    frames 5..8 unlabelled (-1).
    """
    rng = np.random.default_rng(seed)
    samples, split = [], {'train': [], 'val': []}
    for index in range(num_train + num_val):
        frames = int(rng.integers(30, 50))
        cut = int(rng.integers(10, frames - 12))
        segments = [[3, cut, int(rng.integers(2))],
                    [cut + 4, frames - 3, int(rng.integers(2))]]
        labels = derive_frame_labels(segments, frames, NUM_CLASSES)
        keypoint = np.zeros((1, frames, 25, 3), np.float32)
        keypoint[0, :, 0, 0] = labels + 1
        keypoint[0, :, 1] = rng.normal(size=(frames, 3))
        if index == 0:
            labels[UNLABELLED_TRAIN_FRAMES] = UNLABELLED
        name = f'seq{index:02d}'
        samples.append(labelled_sample(name, keypoint, segments, NUM_CLASSES,
                                       frame_labels=labels))
        split['train' if index < num_train else 'val'].append(name)
    return write_annotation_file(path, samples, ['a', 'b'], split)


def dataloader(ann_file, split):
    """Whole sequences padded to a multiple of 8, batch 1."""
    return dict(
        batch_size=1, num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='UntrimmedPoseDataset', ann_file=str(ann_file),
                     split=split, test_mode=True,
                     pipeline=[dict(type='PadFrames', multiple_of=8),
                               dict(type='FixPersonCount', num_person=1),
                               dict(type='PackUntrimmedPoseInputs')]))


def loop_cfg(ann_file, **kwargs):
    return dict(type='KNNLocalizationLoop',
                memory_dataloader=dataloader(ann_file, 'train'), **kwargs)


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    path = tmp_path_factory.mktemp('knn') / 'toy.pkl'
    return path, write_dataset(path)


def make_runner(work_dir, ann_file, features, loop=None, **hooks):
    """A runner without training, its val and test loops both kNN."""
    loop = loop or loop_cfg(ann_file, level=0)
    return Runner(
        model=dict(type='KNNFeatureStubForTests', features=features),
        work_dir=str(work_dir),
        experiment_name=f'knn_{work_dir.name}',
        default_scope='mmaction',
        val_dataloader=dataloader(ann_file, 'val'),
        val_cfg=loop,
        val_evaluator=dict(type='TemporalLocalizationMetric'),
        test_dataloader=dataloader(ann_file, 'val'),
        test_cfg=loop,
        test_evaluator=dict(type='TemporalLocalizationMetric'),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        **hooks)


@pytest.fixture(scope='module')
def random_runner(dataset, tmp_path_factory):
    return make_runner(tmp_path_factory.mktemp('random'), dataset[0],
                       'random')


def predictions(runner, loop_kwargs, ann_file):
    """``frame_dir -> data sample`` predicted by a loop built with
    ``loop_kwargs`` on the val set."""
    loop = runner.build_test_loop(loop_cfg(ann_file, **loop_kwargs))
    runner.model.eval()
    memory, _ = loop.build_memory()
    samples = {}
    for batch in loop.dataloader:
        for sample in loop.localize(batch, memory):
            samples[sample.frame_dir] = sample
    return samples


def labelled_train_frames(data):
    """``(P, 3)`` joint-1 coordinates and ``(P,)`` labels of every labelled
    train frame, from the annotation itself."""
    train = [a for a in data['annotations']
             if a['frame_dir'] in data['split']['train']]
    coords = np.concatenate([a['keypoint'][0, :, 1] for a in train])
    labels = np.concatenate([a['frame_labels'] for a in train])
    return coords[labels >= 0], labels[labels >= 0]


def unit_rows(array):
    return array / np.linalg.norm(array, axis=-1, keepdims=True)


# ---- the loop on the generated dataset -------------------------------------


def test_memory_holds_exactly_the_real_labelled_frames(random_runner,
                                                       dataset):
    ann_file, data = dataset
    loop = random_runner.build_test_loop(
        loop_cfg(ann_file, level=0, max_memory_frames=None))
    memory, _ = loop.build_memory()
    coords, labels = labelled_train_frames(data)
    expected = unit_rows(
        coords @ random_runner.model.projection.detach().double().numpy())
    assert len(memory.labels) == len(labels), 'no padding, no unlabelled'
    assert memory.labels.tolist() == labels.tolist()
    np.testing.assert_allclose(memory.features.numpy(), expected, atol=1e-5)


def test_subsampled_memory_respects_the_bound_and_the_seed(
        random_runner, dataset):
    ann_file, _ = dataset
    full = random_runner.build_test_loop(
        loop_cfg(ann_file, level=0, max_memory_frames=None)).build_memory()[0]
    subsets = [
        random_runner.build_test_loop(
            loop_cfg(ann_file, level=0, max_memory_frames=50,
                     seed=seed)).build_memory()[0] for seed in (3, 3, 4)
    ]
    assert all(len(s.labels) == 50 for s in subsets)
    same = (subsets[0].features[:, None] == full.features[None]).all(-1)
    assert torch.equal(same.sum(dim=1), torch.ones(50, dtype=torch.long)), \
        'each kept frame is one frame of the full memory'
    source = same.long().argmax(dim=1)
    assert len(set(source.tolist())) == 50, 'without replacement'
    assert torch.equal(full.labels[source], subsets[0].labels)
    assert torch.equal(subsets[0].features, subsets[1].features)
    assert not torch.equal(subsets[0].features, subsets[2].features)


def test_one_neighbour_predicts_the_brute_force_nearest_label(
        random_runner, dataset):
    ann_file, data = dataset
    samples = predictions(random_runner, dict(level=0, k=1), ann_file)
    projection = random_runner.model.projection.detach().double().numpy()
    coords, labels = labelled_train_frames(data)
    memory = unit_rows(coords @ projection)
    for name in data['split']['val']:
        sequence = next(a for a in data['annotations']
                        if a['frame_dir'] == name)
        query = unit_rows(sequence['keypoint'][0, :, 1] @ projection)
        expected = labels[np.argmax(query @ memory.T, axis=1)]
        sample = samples[name]
        assert sample.pred_frame_labels.tolist() == expected.tolist()
        assert sample.pred_frame_scores.shape == (NUM_CLASSES + 1,
                                                  sequence['total_frames'])
        one_hot = np.eye(NUM_CLASSES + 1)[expected].T
        np.testing.assert_allclose(sample.pred_frame_scores.numpy(), one_hot,
                                   atol=1e-6)


def test_chunked_loop_equals_unchunked_loop(random_runner, dataset):
    ann_file, _ = dataset
    kwargs = dict(level=0, k=5, max_memory_frames=None)
    chunked = predictions(random_runner, dict(kwargs, chunk_size=7), ann_file)
    whole = predictions(random_runner, dict(kwargs, chunk_size=100000),
                        ann_file)
    for name, sample in whole.items():
        torch.testing.assert_close(chunked[name].pred_frame_scores,
                                   sample.pred_frame_scores)
        np.testing.assert_array_equal(chunked[name].pred_segments,
                                      sample.pred_segments)


def test_weighted_vote_by_hand(random_runner, dataset):
    """k = 3: p(c) = sum of exp(s_i / T) over neighbours of class c,
    normalised, from brute-force similarities."""
    ann_file, data = dataset
    samples = predictions(random_runner, dict(level=0, k=3, temperature=0.5),
                          ann_file)
    projection = random_runner.model.projection.detach().double().numpy()
    coords, labels = labelled_train_frames(data)
    memory = unit_rows(coords @ projection)
    name = data['split']['val'][0]
    sequence = next(a for a in data['annotations'] if a['frame_dir'] == name)
    sims = unit_rows(sequence['keypoint'][0, :, 1] @ projection) @ memory.T
    expected = np.zeros((NUM_CLASSES + 1, sequence['total_frames']))
    for t, row in enumerate(sims):
        for i in np.argsort(-row)[:3]:
            expected[labels[i], t] += np.exp(row[i] / 0.5)
    expected /= expected.sum(axis=0)
    np.testing.assert_allclose(samples[name].pred_frame_scores.numpy(),
                               expected, atol=1e-5)


def test_features_of_a_coarse_level_are_interpolated_linearly(
        random_runner, dataset):
    ann_file, _ = dataset
    loop = random_runner.build_test_loop(loop_cfg(ann_file, level=1))
    batch = next(iter(loop.dataloader))
    features, samples = loop.frame_features(batch)
    real = samples[0].frame_mask.numpy()
    inputs = batch['inputs'][0].double()
    coarse = (inputs[0, ::2, 1] @ random_runner.model.projection.detach(
    ).double()).numpy()  # (T / 2, C)
    num_frames = inputs.shape[1]
    positions = np.clip((np.arange(num_frames) + 0.5) / 2 - 0.5, 0,
                        len(coarse) - 1)
    expected = np.stack([
        np.interp(positions, np.arange(len(coarse)), coarse[:, c])
        for c in range(PROJECTED)
    ], axis=1)
    np.testing.assert_allclose(features[0].numpy()[real],
                               unit_rows(expected[real]), atol=1e-5)


def test_fused_levels_are_the_hand_fusion_of_both_levels(random_runner,
                                                        dataset):
    """``level=[1, 0]``, weights 3 and 1: the coarse level interpolated,
    each normalised, weighted, concatenated in that order, normalised."""
    ann_file, _ = dataset
    loop = random_runner.build_test_loop(
        loop_cfg(ann_file, level=[1, 0], level_weights=[3.0, 1.0]))
    batch = next(iter(loop.dataloader))
    features, samples = loop.frame_features(batch)
    real = samples[0].frame_mask.numpy()
    inputs = batch['inputs'][0].double()
    fine = (inputs[0, :, 1] @ random_runner.model.projection.detach().double(
    )).numpy().T  # (C, T)
    expected = fused_frame_rows([fine[:, ::2], fine], fine.shape[1],
                                [3.0, 1.0])
    assert features.shape[-1] == 2 * PROJECTED
    np.testing.assert_allclose(features[0].numpy()[real], expected[real],
                               atol=1e-5)


def test_a_level_the_model_lacks_is_refused_naming_its_level_count(
        random_runner, dataset):
    ann_file, _ = dataset
    with pytest.raises(ValueError, match='non-empty sequence of ints'):
        random_runner.build_test_loop(loop_cfg(ann_file, level=[]))
    with pytest.raises(ValueError, match='one positive finite weight'):
        random_runner.build_test_loop(
            loop_cfg(ann_file, level=[0, 1], level_weights=[1.0]))
    loop = random_runner.build_test_loop(loop_cfg(ann_file, level=[0, 2]))
    with pytest.raises(ValueError,
                       match='level 2 does not exist: the model returns 2 '):
        loop.build_memory()


def test_cheat_features_localize_perfectly_as_val_and_test(
        dataset, tmp_path):
    ann_file, data = dataset
    HookRecorder.calls.clear()
    runner = make_runner(tmp_path, ann_file, 'onehot',
                         custom_hooks=[dict(type='HookRecorderForTests')])
    metrics = {'val': runner.val(), 'test': runner.test()}
    keys = [f'tal/mAP@{t}' for t in (0.1, 0.2, 0.3, 0.4, 0.5)]
    keys += ['tal/mAP_avg', 'tal/acc', 'tal/edit', 'tal/F1@10', 'tal/F1@25',
             'tal/F1@50']  # segmentation scores from pred_frame_labels
    for role, values in metrics.items():
        assert set(values) == set(keys)
        assert all(values[key] == pytest.approx(100.0)
                   for key in keys), (role, values)
        assert HookRecorder.metrics[f'after_{role}_epoch'] == values
    num_val = len(data['split']['val'])
    expected_calls = []
    for role in ('val', 'test'):
        expected_calls += [f'before_{role}', f'before_{role}_epoch']
        expected_calls += [f'before_{role}_iter', f'after_{role}_iter'
                           ] * num_val
        expected_calls += [f'after_{role}_epoch', f'after_{role}']
    assert HookRecorder.calls == expected_calls


def test_segments_are_in_original_coordinates_and_match_the_truth(
        dataset, tmp_path):
    ann_file, data = dataset
    runner = make_runner(tmp_path, ann_file, 'onehot')
    samples = predictions(runner, dict(level=0), ann_file)
    for name in data['split']['val']:
        sequence = next(a for a in data['annotations']
                        if a['frame_dir'] == name)
        sample = samples[name]
        assert sample.pred_frame_labels.tolist() == sequence[
            'frame_labels'].tolist()
        found = {tuple(s) for s in sample.pred_segments.tolist()}
        assert {tuple(s) for s in sequence['segments']} <= found


def test_a_windowed_query_sample_is_refused(dataset, tmp_path):
    ann_file, _ = dataset
    runner = make_runner(tmp_path, ann_file, 'onehot')
    windowed = dataloader(ann_file, 'val')
    windowed['dataset']['window'] = dict(clip_len=16, stride=16)
    windowed['dataset']['pipeline'][0] = dict(type='WindowCrop')
    loop = runner.build_test_loop(
        dict(loop_cfg(ann_file, level=0), dataloader=windowed))
    memory, _ = loop.build_memory()
    with pytest.raises(ValueError, match='exactly once'):
        loop.localize(next(iter(loop.dataloader)), memory)


def test_bad_arguments_are_refused(dataset, random_runner):
    ann_file, _ = dataset
    with pytest.raises(ValueError, match='background'):
        random_runner.build_test_loop(
            loop_cfg(ann_file, postprocess=dict(background_id=0)))
    with pytest.raises(ValueError, match='k >= 1'):
        random_runner.build_test_loop(loop_cfg(ann_file, k=0))


# ---- temporal smoothing ------------------------------------------------------


def poisoned_copy(data, path):
    """The dataset with every val segment's class flipped and its frames
    relabelled: what a loop that peeked at the test split would see."""
    samples = []
    for sample in data['annotations']:
        if sample['frame_dir'] in data['split']['val']:
            segments = [[s, e, 1 - c] for s, e, c in sample['segments']]
            sample = labelled_sample(
                sample['frame_dir'], sample['keypoint'], segments,
                NUM_CLASSES,
                frame_labels=derive_frame_labels(
                    segments, sample['total_frames'], NUM_CLASSES))
        samples.append(sample)
    return write_annotation_file(path, samples, ['a', 'b'], data['split'])


SELECTION = dict(candidates_s=[0, 0.1, 0.2, 0.4], holdout_fraction=0.5,
                 holdout_seed=1)


def test_a_fixed_window_reports_both_protocols(dataset, tmp_path):
    ann_file = dataset[0]
    plain = make_runner(tmp_path / 'plain', ann_file, 'random').test()
    smoothed = make_runner(tmp_path / 'smooth', ann_file, 'random', loop_cfg(
        ann_file, level=0, smoothing=dict(window_s=0.2))).test()
    assert smoothed['tal/smoothing_s'] == 0.2
    for key, value in plain.items():
        assert smoothed[key.replace('tal/', 'tal_unsmoothed/')] == (
            pytest.approx(value))
    assert smoothed['tal/edit'] != pytest.approx(plain['tal/edit'])


def test_the_window_is_chosen_without_reading_the_test_split(
        dataset, tmp_path):
    ann_file, data = dataset
    poisoned = tmp_path / 'poisoned.pkl'
    poisoned_copy(data, poisoned)
    choices, metrics = [], []
    for name, path in (('clean', ann_file), ('poisoned', poisoned)):
        runner = make_runner(tmp_path / name, path, 'random', loop_cfg(
            path, level=0, smoothing=SELECTION))
        metrics.append(runner.test())
        choices.append(runner.test_loop.smoothing_choice)
    assert choices[0].num_sequences == choices[1].num_sequences > 0
    assert choices[0].scores == choices[1].scores
    assert metrics[0]['tal/smoothing_s'] == metrics[1]['tal/smoothing_s']
    assert metrics[0]['tal/acc'] != pytest.approx(metrics[1]['tal/acc']), (
        'the poison reaches the test metrics')


def test_the_holdout_is_queried_against_the_other_training_sequences(
        random_runner, dataset):
    ann_file, data = dataset
    loop = random_runner.build_test_loop(
        loop_cfg(ann_file, level=0, max_memory_frames=None,
                 smoothing=SELECTION))
    memory, (fit_memory, held_out) = loop.build_memory()
    held_names = {sample.frame_dir for _, sample in held_out}
    assert held_names == loop.held_out and 0 < len(held_names) < 6
    fit_frames = sum(
        int((a['frame_labels'] >= 0).sum()) for a in data['annotations']
        if a['frame_dir'] in data['split']['train']
        and a['frame_dir'] not in held_names)
    assert len(fit_memory.labels) == fit_frames < len(memory.labels)

"""tools/test.py: the command line loads the checkpoint and adds a dump; one
option picks the BABEL subset of every dataloader (--cfg-options
subset=subset2), for the KNN configs and, through tools/train.py, the Stage-2
configs; the raw-pose floor runs without a checkpoint, random init is seeded, a
model with parameters but no weights is refused, and a trained checkpoint is
evaluated end to end."""
import copy
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.fileio import load
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, set_random_seed

from mmaction.registry import DATASETS, MODELS
from helpers import (CONFIGS, KNN_CONFIGS, fused_frame_rows, labelled_sample,
                     write_annotation_file)
from training_probes import train_state, write_probe_config

FLOOR = str(CONFIGS / 'knn' / 'rawpose_mocapmix.py')
SKELETONCLR = str(CONFIGS / 'quickstart' / 'skeletonclr_stgcn_mocapmix.py')
BABEL_STAGE2 = sorted((CONFIGS / 'localization' / 'babel').glob('*.py'))
PRETRAIN_FILE = 'data/babel/babel_pretrain.pkl'

PAPER_POSTPROCESSING = ['test_cfg.smoothing=None']
"""The configs' KNN loops choose a smoothing window on held-out memory
sequences; these tests read the votes themselves (and their 4-sequence
memory has none to hold out), so they take the paper's post-processing."""


def subset_file(subset):
    return f'data/babel/babel_{subset}.pkl'


def runner_ann_files(cfg):
    """``loader -> ann_file`` of every dataloader the runner and its loops
    read."""
    loaders = dict(train=cfg.train_dataloader, val=cfg.val_dataloader,
                   test=cfg.test_dataloader)
    for split in ('val', 'test'):
        memory = (cfg.get(f'{split}_cfg') or {}).get('memory_dataloader')
        if memory is not None:
            loaders[f'{split}_memory'] = memory
    return {name: loader.dataset.ann_file for name, loader in loaders.items()}


def expected_ann_files(path, subset):
    """Pretraining configs (configs/knn/knn_*.py) read unlabelled BABEL to
    train, the subset everywhere else; Stage-2 configs read the subset
    everywhere."""
    files = {name: subset_file(subset)
             for name in ('train', 'val', 'test', 'val_memory', 'test_memory')}
    if path in KNN_CONFIGS:
        files['train'] = PRETRAIN_FILE
    else:
        del files['val_memory'], files['test_memory']
    return files


@pytest.mark.parametrize('path', KNN_CONFIGS + BABEL_STAGE2,
                         ids=lambda p: p.stem)
def test_one_option_moves_every_dataloader_to_the_subset(path, load_tool):
    tool = load_tool('test')
    parsed = Config.fromfile(str(path))
    default = tool.merge_args(
        copy.deepcopy(parsed), tool.parse_args([str(path), 'ckpt.pth']))
    assert runner_ann_files(default) == expected_ann_files(path, 'subset1')
    assert Path(default.work_dir) == Path('work_dirs') / path.stem
    other = tool.merge_args(parsed, tool.parse_args(
        [str(path), 'ckpt.pth', '--cfg-options', 'subset=subset2']))
    assert runner_ann_files(other) == expected_ann_files(path, 'subset2')
    assert Path(other.work_dir) == Path('work_dirs') / f'{path.stem}_subset2'


def test_subset_option_for_a_config_without_subsets_is_refused(load_tool):
    tool = load_tool('test')
    path = CONFIGS / 'quickstart' / 'skeletonclr_stgcn_mocapmix.py'
    args = tool.parse_args([str(path), 'c.pth', '--cfg-options',
                            'subset=subset2'])
    with pytest.raises(SystemExit, match='no dataloader of .* reads a '
                       'dataset subset'):
        tool.merge_args(Config.fromfile(str(path)), args)


def write_subset(root, subset, action):
    """A 4-class subset file whose training frames all show ``action`` and
    whose two validation sequences are named after the subset."""
    rng = np.random.default_rng(action)
    samples, split = [], dict(train=[], val=[])
    for part, count in (('train', 2), ('val', 2)):
        for index in range(count):
            frames = 40
            segments = [[0, frames, action]] if part == 'train' else [
                [0, 20, action], [20, frames, (action + 1) % 4]]
            name = f'{subset}_{part}_{index}'
            samples.append(labelled_sample(
                name, rng.normal(size=(1, frames, 25, 3)).astype(np.float32),
                np.asarray(segments), 4))
            split[part].append(name)
    write_annotation_file(root / subset_file(subset), samples,
                          [f'{subset}_{c}' for c in 'abcd'], split)


def test_knn_test_on_subset2_reads_its_memory_and_its_sequences(
        tmp_path, monkeypatch, load_tool):
    """``tools/test.py configs/knn/knn_<method>_2sagcn_babel.py CKPT
    --cfg-options subset=subset2``: the evaluated sequences are Subset-2's
    ``val`` ones, and every frame votes for the one action of Subset-2's
    ``train`` frames (the memory)."""
    (tmp_path / 'data' / 'babel').mkdir(parents=True)
    write_subset(tmp_path, 'subset1', action=0)
    write_subset(tmp_path, 'subset2', action=2)
    monkeypatch.chdir(tmp_path)
    config = CONFIGS / 'knn' / 'knn_skeletonclr_2sagcn_babel.py'
    torch.manual_seed(0)
    checkpoint = tmp_path / 'encoder.pth'
    torch.save(dict(state_dict=MODELS.build(
        Config.fromfile(str(config)).model).state_dict()), checkpoint)
    dump = tmp_path / 'predictions.pkl'
    load_tool('test').main([
        str(config), str(checkpoint), '--dump', str(dump), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', 'subset=subset2',
        'test_dataloader.num_workers=0',
        'test_cfg.memory_dataloader.num_workers=0'
    ])
    predictions = load(str(dump))
    assert sorted(p['frame_dir'] for p in predictions) == [
        'subset2_val_0', 'subset2_val_1']
    for prediction in predictions:
        assert prediction['pred_frame_labels'].tolist() == [2] * 40


def raw_pose_rows(inputs):
    """Joints and 3 x backward velocities of ``(1, T, V, C)`` inputs, the
    velocity 0 where either frame is padding (all zero): ``(T, 150)``."""
    x = inputs[0].double().numpy().reshape(inputs.shape[1], -1)
    present = np.any(x != 0, axis=1)
    velocity = np.zeros_like(x)
    velocity[1:] = (x[1:] - x[:-1]) * (present[1:] & present[:-1])[:, None]
    return np.concatenate([x, 3 * velocity], axis=1)


def hand_frame_features(inputs):
    """:func:`raw_pose_rows`, L2-normalised per frame."""
    rows = raw_pose_rows(inputs)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True),
                             1e-12)


def hand_fused_pyramid(inputs):
    """The floor's levels fused with equal weights: :func:`raw_pose_rows`
    averaged over windows of 1, 2, 4 and 8 frames (the last window over the
    frames it holds), then fused by hand (``fused_frame_rows``)."""
    rows = raw_pose_rows(inputs)
    levels = [
        np.stack([rows[start:start + size].mean(axis=0)
                  for start in range(0, len(rows), size)]).T
        for size in (1, 2, 4, 8)]
    return fused_frame_rows(levels, len(rows))


def real_frames(dataset, frame_features=hand_frame_features):
    """Hand features and labels of every real frame of every sequence."""
    features, labels = [], []
    for index in range(len(dataset)):
        sample = dataset[index]
        mask = sample['data_samples'].frame_mask.numpy().astype(bool)
        features.append(frame_features(sample['inputs'])[mask])
        labels.append(sample['data_samples'].gt_frame_labels.numpy()[mask])
    return features, labels


def nearest_memory_labels(config, dump, frame_features):
    """Per query of ``config``'s test set, the label of the memory frame
    nearest in ``frame_features``; and the dumped predicted labels."""
    cfg = Config.fromfile(config)
    init_default_scope('mmaction')
    memory, memory_labels = real_frames(
        DATASETS.build(cfg.test_cfg.memory_dataloader.dataset),
        frame_features)
    memory, memory_labels = np.concatenate(memory), np.concatenate(
        memory_labels)
    memory, memory_labels = memory[memory_labels >= 0], memory_labels[
        memory_labels >= 0]
    queries, _ = real_frames(DATASETS.build(cfg.test_dataloader.dataset),
                             frame_features)
    with open(dump, 'rb') as f:
        predictions = pickle.load(f)
    assert len(predictions) == len(queries) == 2
    return ([memory_labels[np.argmax(query @ memory.T, axis=1)].tolist()
             for query in queries],
            [p['pred_frame_labels'].tolist() for p in predictions])


def test_the_floor_runs_without_a_checkpoint_and_votes_the_nearest_frame(
        mocapmix_dir, monkeypatch, tmp_path, load_tool):
    """With k = 1 every validation frame takes the label of the training
    frame nearest in the hand-computed raw-pose features."""
    monkeypatch.chdir(mocapmix_dir)
    dump = tmp_path / 'floor.pkl'
    metrics = load_tool('test').main([
        FLOOR, '--work-dir', str(tmp_path / 'floor'), '--dump', str(dump),
        '--cfg-options', 'test_cfg.k=1', *PAPER_POSTPROCESSING
    ])
    assert metrics['tal/mAP_avg'] == pytest.approx(
        np.mean([metrics[f'tal/mAP@{t}'] for t in (0.1, 0.2, 0.3, 0.4,
                                                    0.5)]))
    expected, predicted = nearest_memory_labels(FLOOR, dump,
                                                hand_frame_features)
    assert predicted == expected


def test_the_floor_fuses_its_pooled_levels_given_on_the_command_line(
        mocapmix_dir, monkeypatch, tmp_path, load_tool):
    """``--cfg-options test_cfg.level=[0,1,2,3]`` (mmengine parses the
    list): k = 1 votes the nearest frame in the hand-fused raw pyramid."""
    monkeypatch.chdir(mocapmix_dir)
    dump = tmp_path / 'fused.pkl'
    load_tool('test').main([
        FLOOR, '--work-dir', str(tmp_path / 'fused'), '--dump', str(dump),
        '--cfg-options', 'test_cfg.level=[0,1,2,3]', 'test_cfg.k=1',
        *PAPER_POSTPROCESSING
    ])
    expected, predicted = nearest_memory_labels(FLOOR, dump,
                                                hand_fused_pyramid)
    assert predicted == expected
    unfused, _ = nearest_memory_labels(FLOOR, dump, hand_frame_features)
    assert unfused != expected, 'fusion changes some vote here'


def built_model(load_tool, monkeypatch, argv):
    """The model ``tools/test.py argv`` would evaluate (the loop skipped)."""
    monkeypatch.setattr(Runner, 'test', lambda runner: runner.model)
    return load_tool('test').main(argv)


def test_random_init_is_the_seeded_init_weights_of_the_config_model(
        mocapmix_dir, monkeypatch, tmp_path, load_tool):
    monkeypatch.chdir(mocapmix_dir)
    seeded = {
        seed: built_model(load_tool, monkeypatch, [
            SKELETONCLR, '--random-init', '--seed', str(seed), '--work-dir',
            str(tmp_path / f'seed{seed}')
        ]).state_dict()
        for seed in (1, 2)
    }
    set_random_seed(1)
    init_default_scope('mmaction')
    expected = MODELS.build(Config.fromfile(SKELETONCLR).model)
    expected.init_weights()
    for key, value in expected.state_dict().items():
        assert torch.equal(seeded[1][key], value), key
    weights = [key for key in seeded[1] if key.endswith('conv.weight')]
    assert weights and not any(
        torch.equal(seeded[1][key], seeded[2][key]) for key in weights)


def test_random_init_fuses_the_levels_given_on_the_command_line(
        mocapmix_dir, monkeypatch, tmp_path, load_tool):
    """``--random-init --cfg-options test_cfg.level=[0,3]``: the test loop
    fuses levels 0 (T) and 3 (T/8) of the seeded encoder."""
    monkeypatch.chdir(mocapmix_dir)
    monkeypatch.setattr(Runner, 'test', lambda runner: runner.test_loop)
    loop = load_tool('test').main([
        SKELETONCLR, '--random-init', '--seed', '0', '--work-dir',
        str(tmp_path / 'random'), '--cfg-options', 'test_cfg.level=[0,3]',
        *PAPER_POSTPROCESSING
    ])
    assert loop.level == [0, 3]
    batch = next(iter(loop.dataloader))
    features, _ = loop.frame_features(batch)
    model = loop.model
    with torch.no_grad():
        levels = model.extract_feat(
            model.data_preprocessor(batch, False)['inputs'])
    assert len(levels) == 4 and levels[3].shape[-1] < levels[0].shape[-1]
    expected = fused_frame_rows([levels[0][0].numpy(), levels[3][0].numpy()],
                                features.shape[1])
    np.testing.assert_allclose(features[0].numpy(), expected, atol=1e-5)


def test_random_init_ignores_a_pretrained_path(load_tool):
    test = load_tool('test')
    cfg = Config(dict(model=dict(type='SkeletonLocalizer',
                                 pretrained='missing.pth')))
    args = test.parse_args(['c.py', '--random-init', '--seed', '4'])
    cfg = test.merge_args(cfg, args)
    assert cfg.model.pretrained is None and cfg.randomness.seed == 4
    assert cfg.load_from is None


def test_a_model_with_parameters_needs_a_checkpoint_or_random_init(
        load_tool):
    test = load_tool('test')
    args = test.parse_args([SKELETONCLR])
    cfg = test.merge_args(Config.fromfile(SKELETONCLR), args)
    with pytest.raises(ValueError,
                       match=r'skeletonclr_stgcn_mocapmix.py: SkeletonMoCo '
                       r'has \d+ parameters and no checkpoint.*--random-init'):
        test.refuse_unlearned_model(cfg, args)
    test.refuse_unlearned_model(Config.fromfile(FLOOR),
                                test.parse_args([FLOOR]))
    with pytest.raises(ValueError, match='not both'):
        test.merge_args(Config.fromfile(SKELETONCLR),
                        test.parse_args([SKELETONCLR, 'a.pth',
                                         '--random-init']))


def test_the_babel_floor_follows_the_subset_option(load_tool):
    tool = load_tool('test')
    path = str(CONFIGS / 'knn' / 'rawpose_babel.py')
    cfg = tool.merge_args(Config.fromfile(path), tool.parse_args(
        [path, '--cfg-options', 'subset=subset3']))
    assert cfg.train_dataloader is None
    assert cfg.test_dataloader.dataset.ann_file == subset_file('subset3')
    assert cfg.test_cfg.memory_dataloader.dataset.ann_file == subset_file(
        'subset3')


def test_the_bandaimix_floor_runs_on_bandaimix(quickstart_dir, monkeypatch,
                                               tmp_path, load_tool):
    monkeypatch.chdir(quickstart_dir)
    path = str(CONFIGS / 'knn' / 'rawpose_bandaimix.py')
    dump = tmp_path / 'floor.pkl'
    metrics = load_tool('test').main(
        [path, '--work-dir', str(tmp_path / 'floor'), '--dump', str(dump)])
    assert 0 <= metrics['tal/mAP_avg'] <= 100
    with open(dump, 'rb') as f:
        predictions = pickle.load(f)
    # the small BandaiMix: 2 val sequences, 3 classes + background (id 3)
    assert len(predictions) == 2
    assert max(p['pred_frame_labels'].max() for p in predictions) <= 3


def test_test_tool_evaluates_a_checkpoint(tmp_path, dataset_file, load_tool):
    config = tmp_path / 'cfg.py'
    write_probe_config(config, dataset_file, max_epochs=4)
    train_state(load_tool, config, tmp_path / 'run')
    metrics = load_tool('test').main(
        [str(config), str(tmp_path / 'run' / 'epoch_4.pth'), '--work-dir',
         str(tmp_path / 'test')])
    keys = [f'tal/mAP@{t}' for t in (0.1, 0.2, 0.3, 0.4, 0.5)]
    assert set(keys + ['tal/mAP_avg']) <= set(metrics)
    assert metrics['tal/mAP_avg'] == pytest.approx(
        np.mean([metrics[k] for k in keys]))
    # The coordinate encodes the class, so a trained probe localizes well.
    assert metrics['tal/mAP@0.5'] > 50


def test_test_tool_loads_the_checkpoint_and_adds_a_dump(config, load_tool):
    test = load_tool('test')
    args = test.parse_args(['c.py', 'ckpt.pth', '--dump', 'pred.pkl'])
    cfg = test.merge_args(config, args)
    assert cfg.load_from == 'ckpt.pth'
    assert [e['type'] for e in cfg.test_evaluator
            ] == ['TemporalLocalizationMetric', 'DumpResults']
    with pytest.raises(ValueError, match='must be a .pkl file'):
        test.merge_args(config, test.parse_args(['c.py', 'k.pth', '--dump',
                                                 'pred.json']))

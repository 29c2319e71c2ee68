"""SmoothingWindowHook: after training, the localizer's smoothing window is
chosen on held-out training sequences (never on the test split), set on the
model before the last checkpoint, and used by its predictions."""
import numpy as np
import pytest
import torch
from mmengine.runner import Runner

from helpers import labelled_sample, write_annotation_file
from localizer_fixtures import GCN, USHAPE, inference_pipeline
from snippet_plugin.datasets.annotation import derive_frame_labels

CANDIDATES = [0, 0.2, 0.6]
HOLDOUT = dict(holdout_fraction=0.4, holdout_seed=0)
EPOCHS = 8


def write_dataset(path, poison_val=False, seed=0):
    """Sequences whose joints' x reveals each frame's class through noise;
    ``poison_val`` flips every val segment's class."""
    rng = np.random.default_rng(seed)
    samples, split = [], {'train': [], 'val': []}
    for index in range(12):
        frames = int(rng.integers(60, 90))
        cut = int(rng.integers(20, frames - 20))
        segments = [[4, cut, 0], [cut + 4, frames - 4, 1]]
        labels = derive_frame_labels(segments, frames, 2)
        keypoint = rng.normal(0, 0.6, (1, frames, 25, 3)).astype(np.float32)
        keypoint[..., 0] += np.array([0., -1., 1.])[labels][None, :, None]
        val = index >= 9
        if val and poison_val:
            segments = [[s, e, 1 - c] for s, e, c in segments]
        name = f'seq{index:02d}'
        samples.append(labelled_sample(name, keypoint, segments, 2))
        split['val' if val else 'train'].append(name)
    write_annotation_file(path, samples, ['left', 'right'], split)
    return path


def loader(ann_file, split, pipeline, **dataset):
    """Batches of 2 random windows for training, else whole sequences one
    at a time."""
    training = not dataset.get('test_mode')
    return dict(batch_size=2 if training else 1, num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=training),
                dataset=dict(type='UntrimmedPoseDataset',
                             ann_file=str(ann_file), split=split,
                             label_mode='frame', **dataset,
                             pipeline=pipeline))


def make_runner(work_dir, ann_file):
    train_pipeline = [dict(type='RandomWindowCrop', clip_len=32),
                      dict(type='FixPersonCount', num_person=1),
                      dict(type='PackUntrimmedPoseInputs')]
    holdout = loader(ann_file, 'train', inference_pipeline(), part='holdout',
                     test_mode=True, **HOLDOUT)
    return Runner(
        model=dict(type='SkeletonLocalizer', backbone=GCN, neck=USHAPE,
                   head=dict(type='FramewiseLocalizationHead',
                             num_classes=2),
                   postprocess=dict(thresholds=[0.4, 0.5, 0.6])),
        work_dir=str(work_dir),
        experiment_name=work_dir.name,
        default_scope='mmaction',
        train_dataloader=loader(ann_file, 'train', train_pipeline,
                                part='fit', **HOLDOUT),
        train_cfg=dict(by_epoch=True, max_epochs=EPOCHS, val_interval=10),
        optim_wrapper=dict(optimizer=dict(type='Adam', lr=1e-2)),
        test_dataloader=loader(ann_file, 'val', inference_pipeline(),
                               test_mode=True),
        test_cfg=dict(type='TestLoop'),
        test_evaluator=[
            dict(type='TemporalLocalizationMetric'),
            dict(type='TemporalLocalizationMetric', unsmoothed=True,
                 prefix='tal_unsmoothed')],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=EPOCHS)),
        custom_hooks=[dict(type='SmoothingWindowHook',
                           candidates_s=CANDIDATES,
                           holdout_dataloader=holdout)],
        randomness=dict(seed=0))


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """The clean run and the run whose test labels are poisoned."""
    root = tmp_path_factory.mktemp('smoothing_hook')
    runs = {}
    for name in ('clean', 'poisoned'):
        ann_file = write_dataset(root / f'{name}.pkl',
                                 poison_val=name == 'poisoned')
        runner = make_runner(root / name, ann_file)
        runner.train()
        runs[name] = (runner, runner.test())
    return runs


def test_the_window_is_chosen_on_the_holdout_and_set_on_the_model(trained):
    runner, metrics = trained['clean']
    choice = runner.message_hub.get_info('smoothing_choice')
    assert sorted(choice) == CANDIDATES
    assert len(set(choice.values())) > 1, 'the candidates score apart'
    best = max(choice, key=lambda s: (choice[s], -s))
    assert runner.model.smoothing_window_s == best
    assert metrics['tal/smoothing_s'] == best
    assert {'tal_unsmoothed/mAP_avg', 'tal/mAP_avg'} <= set(metrics)
    assert 'tal_unsmoothed/smoothing_s' not in metrics


def test_the_test_split_never_moves_the_choice(trained):
    (clean, clean_metrics), (poisoned, poisoned_metrics) = (
        trained['clean'], trained['poisoned'])
    assert clean.message_hub.get_info('smoothing_choice') == (
        poisoned.message_hub.get_info('smoothing_choice'))
    assert clean_metrics['tal/acc'] != pytest.approx(
        poisoned_metrics['tal/acc']), 'the poison reaches the test metrics'


def test_the_last_checkpoint_carries_the_window(trained):
    runner, _ = trained['clean']
    state = torch.load(f'{runner.work_dir}/epoch_{EPOCHS}.pth', weights_only=True)[
        'state_dict']
    assert float(state['smoothing_s']) == runner.model.smoothing_window_s


class ConfigOnly:
    """What ``before_train`` reads of a runner: its config and model."""

    def __init__(self, cfg, model):
        self.cfg, self.model = cfg, model


def test_the_holdout_comes_from_the_config_key_or_is_asked_for(trained):
    from mmengine.config import Config

    from snippet_plugin.engine.hooks import SmoothingWindowHook
    model = trained['clean'][0].model
    holdout = dict(batch_size=1, dataset=dict(type='UntrimmedPoseDataset'))
    hook = SmoothingWindowHook(candidates_s=[0, 1])
    hook.before_train(ConfigOnly(Config(dict(holdout_dataloader=holdout)),
                                 model))
    assert hook.holdout_dataloader == holdout
    with pytest.raises(ValueError, match='needs a holdout_dataloader'):
        SmoothingWindowHook(candidates_s=[0, 1]).before_train(
            ConfigOnly(Config(dict()), model))

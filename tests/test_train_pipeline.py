"""tools/train.py and tools/test.py end to end on a generated dataset.

A tiny frame classifier (defined here, registered for the test only) runs
through the real dataset, transforms, data preprocessor, runner, checkpoint
hook and metric. Resuming from a checkpoint must reproduce the uninterrupted
run exactly (model, optimiser momentum, scheduler), through the
``weights_only`` allowlist on torch >= 2.6.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from mmaction.registry import MODELS
from helpers import CONFIGS, labelled_sample, write_annotation_file
from snippet_plugin.datasets.annotation import derive_frame_labels
from snippet_plugin.evaluation import frames_to_segments

NUM_CLASSES = 2
CLIP_LEN = 24


@MODELS.register_module(name='FrameLinearProbeForTests', force=True)
class FrameLinearProbe(BaseModel):
    """Per-frame linear classifier on joint-averaged coordinates."""

    def __init__(self, in_channels=3, num_classes=NUM_CLASSES):
        super().__init__(data_preprocessor=dict(type='ActionDataPreprocessor'))
        self.num_classes = num_classes
        self.fc = nn.Linear(in_channels, num_classes + 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        logits = self.fc(inputs.mean(dim=(1, 3)))  # (N, M, T, V, C) -> (N, T, K+1)
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            labels = torch.stack([d.gt_frame_labels for d in data_samples])
            keep = torch.stack([d.frame_mask for d in data_samples]) & (
                labels >= 0)
            return dict(loss_frame=F.cross_entropy(logits[keep], labels[keep]))
        for sample, probs in zip(data_samples, logits.softmax(-1)):
            segments, scores = frames_to_segments(
                probs.T.detach().numpy(),
                mask=sample.frame_mask.numpy(),
                thresholds=(0.3, 0.5),
                background_id=self.num_classes)
            sample.set_field(segments, 'pred_segments', field_type='metainfo')
            sample.set_field(scores, 'pred_segment_scores',
                             field_type='metainfo')
        return data_samples


def write_dataset(path, num_train=6, num_val=3, seed=0):
    """Sequences whose x coordinate reveals the class of each frame."""
    rng = np.random.default_rng(seed)
    samples, split = [], {'train': [], 'val': []}
    for index in range(num_train + num_val):
        frames = int(rng.integers(30, 50))
        cut = int(rng.integers(8, frames - 8))
        segments = [[2, cut, 0], [cut + 2, frames - 1, 1]]
        labels = derive_frame_labels(segments, frames, NUM_CLASSES)
        keypoint = rng.normal(0, 0.05, (1, frames, 25, 3)).astype(np.float32)
        keypoint[..., 0] += np.array([0., -1., 1.])[labels][None, :, None]
        name = f'seq{index:02d}'
        samples.append(labelled_sample(name, keypoint, segments, NUM_CLASSES))
        split['train' if index < num_train else 'val'].append(name)
    write_annotation_file(path, samples, ['left', 'right'], split)


def write_config(path, ann_file, max_epochs, custom_hooks=()):
    """A config on top of our runtime base; training crops random windows."""
    base = CONFIGS / '_base_'
    path.write_text(f"""
_base_ = [{str(base / 'default_runtime.py')!r}]
model = dict(type='FrameLinearProbeForTests')
pipeline = [dict(type='RandomWindowCrop', clip_len={CLIP_LEN}),
            dict(type='FixPersonCount', num_person=1),
            dict(type='PackUntrimmedPoseInputs')]
test_pipeline = [dict(type='PadFrames', multiple_of=8),
                 dict(type='FixPersonCount', num_person=1),
                 dict(type='PackUntrimmedPoseInputs')]
train_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='UntrimmedPoseDataset', ann_file={str(ann_file)!r},
                 split='train', pipeline=pipeline))
test_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='UntrimmedPoseDataset', ann_file={str(ann_file)!r},
                 split='val', test_mode=True, pipeline=test_pipeline))
test_evaluator = dict(type='TemporalLocalizationMetric')
test_cfg = dict(type='TestLoop')
train_cfg = dict(by_epoch=True, max_epochs={max_epochs}, val_interval=100)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.5, momentum=0.9))
# An explicit ``end``: mmengine otherwise ends schedulers at max_epochs,
# which would make the short run's schedule differ from the long one's.
param_scheduler = [dict(type='MultiStepLR', milestones=[1], gamma=0.5,
                        begin=0, end=3)]
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, save_best=None))
custom_hooks = {list(custom_hooks)!r}
""")


@pytest.fixture(scope='module')
def dataset_file(tmp_path_factory):
    path = tmp_path_factory.mktemp('data') / 'toy.pkl'
    write_dataset(path)
    return path


def train(load_tool, config, work_dir, *extra):
    runner = load_tool('train').main([str(config), '--work-dir',
                                      str(work_dir), *extra])
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


def interrupted_and_straight_runs(tmp_path, dataset_file, load_tool,
                                  custom_hooks):
    """Final weights of a 3-epoch run, and of 1 epoch resumed to 3."""
    straight_cfg = tmp_path / 'straight.py'
    write_config(straight_cfg, dataset_file, 3, custom_hooks)
    straight = train(load_tool, straight_cfg, tmp_path / 'straight')

    short_cfg = tmp_path / 'short.py'
    write_config(short_cfg, dataset_file, 1, custom_hooks)
    train(load_tool, short_cfg, tmp_path / 'resumed')
    checkpoint = torch.load(tmp_path / 'resumed' / 'epoch_1.pth',
                            weights_only=True)
    assert checkpoint['meta']['epoch'] == 1
    assert checkpoint['optimizer']['state'], 'momentum buffers are saved'
    resumed = train(load_tool, straight_cfg, tmp_path / 'resumed',
                    '--resume')
    assert straight.keys() == resumed.keys()
    return straight, resumed


def test_resumed_run_equals_uninterrupted_run(tmp_path, dataset_file,
                                              load_tool):
    straight, resumed = interrupted_and_straight_runs(
        tmp_path, dataset_file, load_tool, [dict(type='RNGStateHook')])
    for key in straight:
        torch.testing.assert_close(resumed[key], straight[key], rtol=0,
                                   atol=0)


def test_without_rng_state_the_random_crops_diverge(tmp_path, dataset_file,
                                                    load_tool):
    """The control for the test above: mmengine alone re-seeds on resume."""
    straight, resumed = interrupted_and_straight_runs(tmp_path, dataset_file,
                                                      load_tool, [])
    assert not torch.equal(resumed['fc.weight'], straight['fc.weight'])


def test_test_tool_evaluates_a_checkpoint(tmp_path, dataset_file, load_tool):
    config = tmp_path / 'cfg.py'
    write_config(config, dataset_file, max_epochs=4)
    train(load_tool, config, tmp_path / 'run')
    metrics = load_tool('test').main(
        [str(config), str(tmp_path / 'run' / 'epoch_4.pth'), '--work-dir',
         str(tmp_path / 'test')])
    keys = [f'tal/mAP@{t}' for t in (0.1, 0.2, 0.3, 0.4, 0.5)]
    assert set(keys + ['tal/mAP_avg']) <= set(metrics)
    assert metrics['tal/mAP_avg'] == pytest.approx(
        np.mean([metrics[k] for k in keys]))
    # The coordinate encodes the class, so a trained probe localizes well.
    assert metrics['tal/mAP@0.5'] > 50

"""The tiny training runs of the end-to-end tests: the modules those runs
import through ``custom_imports`` (``tests/`` on ``PYTHONPATH``) -- a BN-free
backbone, a frame probe, hooks that record, kill or corrupt a run -- and the
writers of their configs and data. Not a test module."""
import json
import os
import signal
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import BaseModel, is_model_wrapper
from torch import nn

from mmaction.registry import HOOKS, MODELS
from snippet_plugin.datasets.annotation import derive_frame_labels
from snippet_plugin.evaluation import frames_to_segments
from helpers import CONFIGS, labelled_sample, write_annotation_file

RUNTIME = CONFIGS / '_base_' / 'default_runtime.py'


@MODELS.register_module(force=True)
class ConvStagesForTests(nn.Module):
    """Two temporal-conv stages without batch normalisation, so a sample's
    features do not depend on its batch companions (DDP with ``B/2`` per
    rank computes what one process computes with ``B``).

    ``forward``: ``(N, M, T, V, C)`` -> stage outputs ``(N*M, C_s, T_s, V)``
    with ``C_s`` 8, 16 and ``T_s`` ``T``, ``T/2``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.in_channels = 3
        self.graph = SimpleNamespace(num_node=25)
        self.gcn = nn.ModuleList([
            nn.Sequential(nn.Conv2d(3, 8, (3, 1), padding=(1, 0)), nn.ReLU()),
            nn.Sequential(
                nn.Conv2d(8, 16, (3, 1), stride=(2, 1), padding=(1, 0)),
                nn.ReLU()),
        ])

    def forward(self, x):
        n, m, t, v, c = x.shape
        x = x.permute(0, 1, 4, 2, 3).reshape(n * m, c, t, v)
        for stage in self.gcn:
            x = stage(x)
        return x


def _model(runner):
    model = runner.model
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module(force=True)
class RankStateDumpHookForTests(Hook):
    """Every rank writes ``rank<r>.pt`` in the work dir after training: its
    model state dict and its per-iteration ``loss*`` values (checkpoints come
    from rank 0 only)."""

    def __init__(self) -> None:
        self.losses = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.losses.append({k: float(v.detach()) for k, v in outputs.items()
                            if k.startswith('loss')})

    def after_train(self, runner):
        state = {k: v.detach().clone()
                 for k, v in _model(runner).state_dict().items()}
        torch.save(dict(state=state, losses=self.losses),
                   os.path.join(runner.work_dir, f'rank{get_rank()}.pt'))


@HOOKS.register_module(force=True)
class SigkillAtIterHookForTests(Hook):
    """SIGKILL this process before 0-based iteration ``iteration`` runs,
    unless the environment sets ``NO_SIGKILL``."""

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.iteration and 'NO_SIGKILL' not in os.environ:
            os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module(force=True)
class NaNInputAtIterHookForTests(Hook):
    """Put a NaN into the first input of 0-based iteration ``iteration``."""

    priority = 'VERY_HIGH'

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.iteration:
            data_batch['inputs'][0].view(-1)[0] = float('nan')


def read_json_log(work_dir):
    """The per-iteration records of a run's ``vis_data/scalars.json``."""
    [path] = [os.path.join(root, name)
              for root, _, names in os.walk(work_dir) for name in names
              if name == 'scalars.json']
    with open(path) as file:
        return [json.loads(line) for line in file]


@HOOKS.register_module(force=True)
class SigkillDuringSaveHookForTests(Hook):
    """SIGKILL this process inside the ``save``-th checkpoint write (1-based),
    after the checkpoint bytes are written, at the first ``os.fsync``."""

    def __init__(self, save: int) -> None:
        self.save = save
        self.saves = 0

    def before_save_checkpoint(self, runner, checkpoint):
        self.saves += 1
        if self.saves == self.save:
            os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)


# ---- a frame probe through tools/train.py and tools/test.py -----------------
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


def write_probe_dataset(path, num_train=6, num_val=3, seed=0):
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


def write_probe_config(path, ann_file, max_epochs, custom_hooks=()):
    """A FrameLinearProbeForTests config on top of our runtime base;
    training crops random windows."""
    path.write_text(f"""
_base_ = [{str(RUNTIME)!r}]
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


def train_state(load_tool, config, work_dir, *extra):
    """Run tools/train.py on ``config``; return the final state dict."""
    runner = load_tool('train').main([str(config), '--work-dir',
                                      str(work_dir), *extra])
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


# ---- a snippet pretraining for kill-and-resume and NaN ----------------------
MAX_ITERS = 7


def write_pretraining_config(path, ann_file, custom_hooks=()):
    """A tiny snippet pretraining (ST-GCN with batch norm, random window
    crops and view augmentations, dense branch) with an iteration-based
    loop of ``MAX_ITERS`` and a checkpoint every 3 iterations; batch 1
    over 4 sequences makes 4 iterations per epoch, so the checkpoints at
    iterations 3 and 6 fall mid-epoch."""
    path.write_text(f"""
_base_ = [{str(RUNTIME)!r}]
custom_imports = dict(imports=['snippet_plugin', 'training_probes'],
                      allow_failed_imports=False)
model = dict(
    type='SkeletonMoCo',
    backbone=dict(type='MultiScaleGCN', backbone=dict(
        type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
        base_channels=4, down_stages=[2, 5, 8])),
    global_head=dict(type='GlobalProjectionHead', in_channels=16,
                     out_channels=8),
    dense_head=dict(type='DenseProjectionHead', in_channels=16,
                    out_channels=8, num_snippets=2),
    queue_size=5, feat_dim=8, momentum=0.9)
views = [dict(type='TemporalPadCrop', padding_ratio=6),
         dict(type='RandomShear', amplitude=0.5)]
train_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='UntrimmedPoseDataset', ann_file={str(ann_file)!r},
                 split='train', label_mode='none',
                 pipeline=[dict(type='NormalizeSkeleton3D'),
                           dict(type='RandomWindowCrop', clip_len=32),
                           dict(type='FixPersonCount', num_person=1),
                           dict(type='ContrastiveViews', pipeline=views),
                           dict(type='PackUntrimmedPoseInputs')]))
train_cfg = dict(type='IterBasedTrainLoop', max_iters={MAX_ITERS},
                 val_interval=1000)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9,
                                    weight_decay=1e-4))
param_scheduler = [dict(type='MultiStepLR', by_epoch=False, milestones=[4],
                        gamma=0.5)]
log_processor = dict(by_epoch=False)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=3, by_epoch=False,
                                     save_best=None, max_keep_ckpts=-1))
custom_hooks = [dict(type='RNGStateHook'), *{list(custom_hooks)!r}]
""")
    return path

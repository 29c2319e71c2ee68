"""Faults during training: SIGKILL mid-epoch and mid-save, then ``--resume``;
an interrupted checkpoint write; a NaN loss (docs/reliability.md).

The runs are tiny snippet pretrainings (ST-GCN with batch norm, random
window crops and view augmentations, dense branch) on the generated
MocapMix, with an iteration-based loop: batch 1 over 4 sequences makes 4
iterations per epoch, so the checkpoints at iterations 3 and 6 fall
mid-epoch.
"""
import os
import subprocess
import sys

import pytest
import torch
from mmengine.hooks import CheckpointHook

from snippet_plugin.engine.hooks import NonFiniteLossError
from snippet_plugin.engine.hooks.atomic_checkpoint_hook import \
    _atomic_text_open
from snippet_plugin.utils import atomic_write
from helpers import REPO

MAX_ITERS = 7


def write_config(path, ann_file, custom_hooks=()):
    base = REPO / 'configs' / '_base_' / 'default_runtime.py'
    path.write_text(f"""
_base_ = [{str(base)!r}]
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


def run_env():
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO), str(REPO / 'tests'), env.get('PYTHONPATH', '')])
    return env


def load(path):
    return torch.load(path, weights_only=True)


@pytest.fixture
def ann_file(mocapmix_dir):
    return mocapmix_dir / 'data' / 'mocapmix' / 'mocapmix.pkl'


KILLS = {
    # SIGKILL before iteration 5 runs (mid-epoch), 2 iterations after
    # iter_3.pth was saved
    'between_iterations': dict(type='SigkillAtIterHookForTests', iteration=4),
    # SIGKILL inside the write of iter_6.pth (mid-epoch), after its bytes
    # are written and before the rename
    'while_saving': dict(type='SigkillDuringSaveHookForTests', save=2),
}


@pytest.mark.slow
@pytest.mark.parametrize('kill', sorted(KILLS))
def test_sigkill_mid_epoch_then_resume_equals_straight_run(
        kill, tmp_path, ann_file, load_tool):
    killed_dir = tmp_path / 'killed'
    config = write_config(tmp_path / 'killed.py', ann_file, [KILLS[kill]])
    run = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'train.py'), str(config),
         '--work-dir', str(killed_dir)],
        env=run_env(), cwd=REPO, timeout=300, capture_output=True)
    assert run.returncode == -9, run.stderr.decode()[-2000:]
    assert sorted(p.name for p in killed_dir.glob('*.pth')) == [
        'iter_3.pth']
    unrenamed = list(killed_dir.glob('.iter_6.pth.*.tmp'))
    assert len(unrenamed) == (kill == 'while_saving')
    assert (killed_dir / 'last_checkpoint').read_text() == str(
        killed_dir / 'iter_3.pth')
    assert load(killed_dir / 'iter_3.pth')['meta']['iter'] == 3

    straight_cfg = write_config(tmp_path / 'straight.py', ann_file)
    load_tool('train').main(
        [str(straight_cfg), '--work-dir', str(tmp_path / 'straight')])
    load_tool('train').main(
        [str(straight_cfg), '--work-dir', str(killed_dir), '--resume'])
    straight = load(tmp_path / 'straight' / f'iter_{MAX_ITERS}.pth')
    resumed = load(killed_dir / f'iter_{MAX_ITERS}.pth')
    assert resumed['meta']['iter'] == straight['meta']['iter'] == MAX_ITERS
    state = straight['state_dict']
    for key in ('encoder_k.module.backbone.backbone.data_bn.running_mean',
                'global_queue.queue', 'global_queue.ptr',
                'dense_queue.queue', 'dense_queue.ptr', 'encoder_k.steps'):
        assert key in state
    assert int(state['global_queue.ptr']) == MAX_ITERS % 5
    assert state.keys() == resumed['state_dict'].keys()
    for key, value in state.items():
        assert torch.equal(resumed['state_dict'][key], value), key
    assert_same_nested(resumed['optimizer'], straight['optimizer'])
    assert_same_nested(resumed['param_schedulers'],
                       straight['param_schedulers'])


def assert_same_nested(got, expected, where='root'):
    """Exact equality of nested dicts/lists of tensors and scalars."""
    if isinstance(expected, dict):
        assert got.keys() == expected.keys(), where
        for key in expected:
            assert_same_nested(got[key], expected[key], f'{where}.{key}')
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected), where
        for index, (a, b) in enumerate(zip(got, expected)):
            assert_same_nested(a, b, f'{where}[{index}]')
    elif isinstance(expected, torch.Tensor):
        assert torch.equal(got, expected), where
    else:
        assert got == expected, where


def test_interrupted_atomic_write_keeps_the_previous_file(tmp_path,
                                                          monkeypatch):
    path = tmp_path / 'iter_3.pth'
    atomic_write(str(path), b'complete checkpoint')

    def fail(fd):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'fsync', fail)
    with pytest.raises(OSError, match='disk full'):
        atomic_write(str(path), b'half')
    assert path.read_bytes() == b'complete checkpoint'
    assert [p.name for p in tmp_path.iterdir()] == ['iter_3.pth']


def test_nan_loss_stops_before_the_broken_state_is_saved(tmp_path, ann_file,
                                                         load_tool):
    config = write_config(tmp_path / 'nan.py', ann_file,
                          [dict(type='NaNInputAtIterHookForTests',
                                iteration=5)])
    work_dir = tmp_path / 'run'
    with pytest.raises(NonFiniteLossError) as error:
        load_tool('train').main([str(config), '--work-dir', str(work_dir)])
    message = str(error.value)
    assert message.startswith('non-finite loss at iteration 6: ')
    assert 'loss=nan' in message and 'loss_global=nan' in message
    assert f'Last good checkpoint: {work_dir / "iter_3.pth"}.' in message
    # iteration 6 would have been checkpointed: it was not
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['iter_3.pth']
    state = load(work_dir / 'iter_3.pth')['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values()
               if v.is_floating_point())


def test_pointer_writes_in_mmengines_hook_module_become_atomic(tmp_path):
    """mmengine writes ``last_checkpoint`` with ``open(path, 'w')`` in its
    hook module; while AtomicCheckpointHook saves, that write is atomic."""
    module = sys.modules[CheckpointHook.__module__]
    pointer = tmp_path / 'last_checkpoint'
    pointer.write_text('/run/iter_3.pth')
    write = "with open(path, 'w') as f:\n    f.write(text)\n    fail()"

    def fail():
        raise KeyboardInterrupt

    with _atomic_text_open(str(pointer)):
        with pytest.raises(KeyboardInterrupt):  # interrupted mid-write
            exec(write, vars(module), dict(path=str(pointer),
                                            text='/run/iter_6', fail=fail))
        assert pointer.read_text() == '/run/iter_3.pth'
        exec(write, vars(module), dict(path=str(pointer),
                                        text='/run/iter_6.pth',
                                        fail=lambda: None))
        assert pointer.read_text() == '/run/iter_6.pth'
    assert 'open' not in vars(module)  # the builtin again
    assert sorted(p.name for p in tmp_path.iterdir()) == ['last_checkpoint']

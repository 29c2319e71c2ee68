"""tools/train.py: the command line maps onto config keys as in MMAction2,
--tensorboard, the one-line exit on a dataset that is not prepared yet; end to
end, resuming reproduces the uninterrupted run (a frame probe through the real
dataset, transforms, runner, checkpoint hook and metric; a snippet pretraining
killed by SIGKILL mid-epoch and mid-save, see docs/reliability.md), and two DDP
ranks with half batches equal one process."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config

from snippet_plugin.datasets.annotation import (load_annotations,
                                                save_annotations)
from helpers import REPO
from training_probes import (MAX_ITERS, read_json_log, train_state,
                             write_pretraining_config, write_probe_config)


# ---- the command line -------------------------------------------------------


def test_train_options_override_the_config(config, load_tool):
    train = load_tool('train')
    args = train.parse_args([
        'configs/x.py', '--work-dir', 'out', '--amp', '--seed', '5',
        '--cfg-options', 'train_cfg.max_epochs=7', '--launcher', 'pytorch'
    ])
    cfg = train.merge_args(config, args)
    assert cfg.work_dir == 'out'
    assert cfg.train_cfg.max_epochs == 7
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.randomness.seed == 5
    assert cfg.launcher == 'pytorch'
    assert cfg.get('resume', False) is False


def test_resume_without_path_resumes_latest_and_with_path_that_file(config, load_tool):
    train = load_tool('train')
    auto = train.merge_args(config.copy(),
                            train.parse_args(['c.py', '--resume']))
    assert auto.resume is True and auto.load_from is None
    explicit = train.merge_args(
        config.copy(), train.parse_args(['c.py', '--resume', 'e_2.pth']))
    assert explicit.resume is True and explicit.load_from == 'e_2.pth'


def test_default_work_dir_is_named_after_the_config(config, load_tool):
    train = load_tool('train')
    cfg = train.merge_args(config, train.parse_args(['configs/abc_def.py']))
    assert Path(cfg.work_dir) == Path('work_dirs/abc_def')


def test_no_validate_removes_the_validation_loop(config, load_tool):
    train = load_tool('train')
    cfg = train.merge_args(config, train.parse_args(['c.py',
                                                     '--no-validate']))
    assert cfg.val_cfg is None and cfg.val_evaluator is None


def test_seed_and_auto_scale_reach_a_config_without_those_sections(load_tool):
    train = load_tool('train')
    bare = Config(dict(train_cfg=dict(max_epochs=1)))
    cfg = train.merge_args(
        bare,
        train.parse_args(
            ['c.py', '--seed', '3', '--deterministic', '--auto-scale-lr']))
    assert cfg.randomness == dict(seed=3, deterministic=True)
    assert cfg.auto_scale_lr.enable is True


REAL_FIND_SPEC = importlib.util.find_spec


def find_spec_with_tensorboard(installed):
    """``importlib.util.find_spec`` that reports ``tensorboard`` as
    ``installed`` (whatever this machine has) and asks the real one for
    anything else."""

    def find_spec(name, *args, **kwargs):
        if name == 'tensorboard':
            return object() if installed else None
        return REAL_FIND_SPEC(name, *args, **kwargs)

    return find_spec


def runtime_config():
    return Config(dict(visualizer=dict(
        type='ActionVisualizer',
        vis_backends=[dict(type='LocalVisBackend')])))


def test_tensorboard_flag_adds_the_backend_once(load_tool, monkeypatch):
    monkeypatch.setattr(importlib.util, 'find_spec',
                        find_spec_with_tensorboard(installed=True))
    train = load_tool('train')
    args = train.parse_args(['c.py', '--tensorboard'])
    cfg = train.merge_args(runtime_config(), args)
    assert [b['type'] for b in cfg.visualizer.vis_backends] == [
        'LocalVisBackend', 'TensorboardVisBackend']
    again = train.merge_args(cfg, args)
    assert [b['type'] for b in again.visualizer.vis_backends] == [
        'LocalVisBackend', 'TensorboardVisBackend']
    plain = train.merge_args(runtime_config(), train.parse_args(['c.py']))
    assert [b['type'] for b in plain.visualizer.vis_backends] == [
        'LocalVisBackend']


def test_tensorboard_flag_without_the_package_says_how_to_install_it(
        load_tool, monkeypatch):
    monkeypatch.setattr(importlib.util, 'find_spec',
                        find_spec_with_tensorboard(installed=False))
    train = load_tool('train')
    with pytest.raises(SystemExit, match='pip install tensorboard'):
        train.merge_args(runtime_config(),
                         train.parse_args(['c.py', '--tensorboard']))


def test_missing_dataset_is_one_line_naming_the_prepare_script(tmp_path):
    """The README's headline command on a fresh clone (no ``data/``)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONWARNINGS='ignore')
    result = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'train.py'),
         str(REPO / 'configs' / 'snippet_rvtclr_2sagcn_babel.py'),
         '--work-dir', str(tmp_path / 'work')],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr + result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        'data/babel/babel_pretrain.pkl: annotation file not found. Prepare '
        'the dataset first: python tools/data/prepare_babel.py (see '
        'docs/datasets.md)')


# ---- resume: the frame probe ------------------------------------------------


def interrupted_and_straight_runs(tmp_path, dataset_file, load_tool,
                                  custom_hooks):
    """Final weights of a 3-epoch run, and of 1 epoch resumed to 3."""
    straight_cfg = tmp_path / 'straight.py'
    write_probe_config(straight_cfg, dataset_file, 3, custom_hooks)
    straight = train_state(load_tool, straight_cfg, tmp_path / 'straight')

    short_cfg = tmp_path / 'short.py'
    write_probe_config(short_cfg, dataset_file, 1, custom_hooks)
    train_state(load_tool, short_cfg, tmp_path / 'resumed')
    checkpoint = torch.load(tmp_path / 'resumed' / 'epoch_1.pth',
                            weights_only=True)
    assert checkpoint['meta']['epoch'] == 1
    assert checkpoint['optimizer']['state'], 'momentum buffers are saved'
    resumed = train_state(load_tool, straight_cfg, tmp_path / 'resumed',
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


# ---- resume after SIGKILL (docs/reliability.md) -----------------------------


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
    config = write_pretraining_config(tmp_path / 'killed.py', ann_file,
                                      [KILLS[kill]])
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

    straight_cfg = write_pretraining_config(tmp_path / 'straight.py',
                                            ann_file)
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


# ---- DDP on two gloo ranks --------------------------------------------------


PIECE_FRAMES = 32
PIECE_STARTS = (0, 100)
BATCH = 4


def write_pieces(source, path, order):
    """Pretraining file of 32-frame pieces of the training sequences.

    Returns the piece names in stored order; ``order`` permutes the
    pieces within each group of ``BATCH``.
    """
    data = load_annotations(str(source))
    pieces = []
    for sample in data['annotations']:
        if sample['frame_dir'] not in data['split']['train']:
            continue
        for start in PIECE_STARTS:
            keypoint = sample['keypoint'][:, start:start + PIECE_FRAMES]
            pieces.append(dict(frame_dir=f"{sample['frame_dir']}@{start}",
                               total_frames=PIECE_FRAMES,
                               keypoint=np.ascontiguousarray(keypoint)))
    stored = [pieces[g + i] for g in range(0, len(pieces), BATCH)
              for i in order]
    save_annotations(
        dict(meta=data['meta'],
             split=dict(train=[p['frame_dir'] for p in stored]),
             annotations=stored), str(path))
    return [p['frame_dir'] for p in stored]


def write_ddp_config(path, pieces_file, knn_file, batch_size,
                     key_bn='local'):
    """Tiny BN-free snippet pretraining, KNN validation at the end."""
    base = REPO / 'configs' / '_base_' / 'default_runtime.py'
    path.write_text(f"""
_base_ = [{str(base)!r}]
custom_imports = dict(imports=['snippet_plugin', 'training_probes'],
                      allow_failed_imports=False)
model = dict(
    type='SkeletonMoCo',
    backbone=dict(type='MultiScaleGCN',
                  backbone=dict(type='ConvStagesForTests')),
    global_head=dict(type='GlobalProjectionHead', in_channels=16,
                     out_channels=8),
    dense_head=dict(type='DenseProjectionHead', in_channels=16,
                    out_channels=8, num_snippets=4),
    queue_size=12, feat_dim=8, temperature=0.2, momentum=0.9,
    key_bn={key_bn!r})
train_dataloader = dict(
    batch_size={batch_size}, num_workers=0, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='UntrimmedPoseDataset', ann_file={str(pieces_file)!r},
                 split='train', label_mode='none',
                 pipeline=[dict(type='NormalizeSkeleton3D'),
                           dict(type='FixPersonCount', num_person=1),
                           dict(type='ContrastiveViews', pipeline=[]),
                           dict(type='PackUntrimmedPoseInputs')]))
test_pipeline = [dict(type='NormalizeSkeleton3D'),
                 dict(type='PadFrames', multiple_of=2),
                 dict(type='FixPersonCount', num_person=1),
                 dict(type='PackUntrimmedPoseInputs')]
val_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='UntrimmedPoseDataset', ann_file={str(knn_file)!r},
                 split='val', label_mode='frame', test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='TemporalLocalizationMetric')
test_evaluator = val_evaluator
val_cfg = dict(
    type='KNNLocalizationLoop', k=5, level=-1,
    memory_dataloader=dict(
        batch_size=1, num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='UntrimmedPoseDataset',
                     ann_file={str(knn_file)!r}, split='train',
                     label_mode='frame', test_mode=True,
                     pipeline=test_pipeline)))
test_cfg = val_cfg
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=2, val_interval=2)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
param_scheduler = []
log_processor = dict(window_size=1)  # log each step's loss, not a mean
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=2, save_best=None))
custom_hooks = [dict(type='RankStateDumpHookForTests')]
""")


def torchrun(tool, *args):
    command = [sys.executable, '-m', 'torch.distributed.run', '--standalone',
               '--nproc_per_node', '2', str(REPO / 'tools' / tool), *args,
               '--launcher', 'pytorch']
    subprocess.run(command, check=True, timeout=300, env=run_env(), cwd=REPO)


@pytest.mark.slow
def test_two_ranks_with_half_batches_equal_one_process(tmp_path,
                                                       mocapmix_dir,
                                                       load_tool):
    """DDP through ``torchrun`` on CPUs (gloo).

    Training: ``torchrun --nproc_per_node 2 tools/train.py CONFIG
    --launcher pytorch`` with batch ``B/2`` per rank must reproduce one
    process with batch ``B``: the same per-step loss (mean of the ranks'
    losses; mmengine logs rank 0's) and the same weights, key encoder and
    queues, identical on both ranks. Two things make this exact up to float
    summation order:

    * the backbone has no batch normalisation (``ConvStagesForTests``), so
      a sample's features do not depend on its batch companions (which also
      makes the DDP run's default shuffled key BN equal to unshuffled
      encoding, while still exercising the shuffle), and the two views are
      deterministic (no random augmentation, whole 32-frame pieces);
    * the data order: the sampler gives rank ``r`` positions ``r, r+2,
      ...``, so step ``s`` gathers keys in the order of positions ``4s,
      4s+2, 4s+1, 4s+3`` (rank 0's, then rank 1's). The one-process run
      reads a file whose pieces are stored in exactly that order, so both
      runs enqueue the same keys into the same queue rows.

    Evaluation: ``torchrun ... tools/test.py`` (KNN localization, memory
    and queries sharded over two ranks, features all-gathered) must report
    the mAP that the one-process run's validation reported for the same
    weights.
    """
    knn_file = mocapmix_dir / 'data' / 'mocapmix' / 'mocapmix.pkl'
    rank_order = write_pieces(knn_file, tmp_path / 'ranked.pkl',
                              range(BATCH))
    gathered_order = write_pieces(knn_file, tmp_path / 'gathered.pkl',
                                  (0, 2, 1, 3))
    assert gathered_order[:4] == [rank_order[i] for i in (0, 2, 1, 3)]

    one_cfg = tmp_path / 'one.py'
    write_ddp_config(one_cfg, tmp_path / 'gathered.pkl', knn_file, BATCH)
    runner = load_tool('train').main(
        [str(one_cfg), '--work-dir', str(tmp_path / 'one')])
    one = torch.load(tmp_path / 'one' / 'rank0.pt')
    one_map = runner.message_hub.get_scalar('val/tal/mAP_avg').current()

    two_cfg = tmp_path / 'two.py'
    # the default key_bn='shuffle' really shuffles keys across the ranks
    # here; without BN the un-shuffled keys equal unshuffled encoding
    write_ddp_config(two_cfg, tmp_path / 'ranked.pkl', knn_file, BATCH // 2,
                 key_bn='shuffle')
    torchrun('train.py', str(two_cfg), '--work-dir', str(tmp_path / 'two'),
             '--no-validate')
    ranks = [torch.load(tmp_path / 'two' / f'rank{r}.pt') for r in (0, 1)]

    # both ranks hold the same model, key encoder, queues and pointers
    for key, value in ranks[0]['state'].items():
        assert torch.equal(ranks[1]['state'][key], value), key
    # 8 pieces / batch 4 = 2 steps per epoch, 2 epochs, 4 keys per step
    assert len(one['losses']) == len(ranks[0]['losses']) == 4
    assert int(one['state']['global_queue.ptr']) == (4 * 4) % 12
    # per-step loss: one process = mean of the ranks (float tolerance)
    for step, expected in enumerate(one['losses']):
        for term, value in expected.items():
            mean = np.mean([r['losses'][step][term] for r in ranks])
            assert mean == pytest.approx(value, rel=1e-5, abs=1e-6), (step,
                                                                      term)
    # rank 0's losses are what the json log of the DDP run records
    logged = [r['loss'] for r in read_json_log(tmp_path / 'two')
              if 'loss' in r]
    assert logged == pytest.approx(
        [step['loss_global'] + step['loss_dense']
         for step in ranks[0]['losses']], rel=1e-6)
    for key, value in one['state'].items():
        torch.testing.assert_close(ranks[0]['state'][key], value, rtol=1e-4,
                                   atol=1e-5, msg=key)

    # KNN evaluation on two ranks: same mAP as the one-process validation
    torchrun('test.py', str(one_cfg), str(tmp_path / 'one' / 'epoch_2.pth'),
             '--work-dir', str(tmp_path / 'test'))
    [metrics] = list(read_test_metrics(tmp_path / 'test'))
    assert metrics['tal/mAP_avg'] == pytest.approx(one_map, abs=1e-9)
    assert one_map > 0


def read_test_metrics(work_dir):
    """Metric dicts of ``tools/test.py`` runs
    (``<timestamp>/<timestamp>.json``)."""
    for path in Path(work_dir).glob('*/*.json'):
        yield json.loads(path.read_text().splitlines()[-1])

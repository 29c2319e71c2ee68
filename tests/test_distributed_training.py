"""DDP through ``torchrun`` on CPUs (gloo), and MoCo's shuffled key BN.

Training: ``torchrun --nproc_per_node 2 tools/train.py CONFIG --launcher
pytorch`` with batch ``B/2`` per rank must reproduce one process with batch
``B``: the same per-step loss (mean of the ranks' losses; mmengine logs
rank 0's) and the same weights, key encoder and queues, identical on both
ranks. Two things make this exact up to float summation order:

* the backbone has no batch normalisation (``ConvStagesForTests``), so a
  sample's features do not depend on its batch companions (which also makes
  the DDP run's default shuffled key BN equal to unshuffled encoding, while
  still exercising the shuffle), and the two views are deterministic (no
  random augmentation, whole 32-frame pieces);
* the data order: the sampler gives rank ``r`` positions ``r, r+2, ...``, so
  step ``s`` gathers keys in the order of positions ``4s, 4s+2, 4s+1,
  4s+3`` (rank 0's, then rank 1's). The one-process run reads a file whose
  pieces are stored in exactly that order, so both runs enqueue the same
  keys into the same queue rows.

Evaluation: ``torchrun ... tools/test.py`` (KNN localization, memory and
queries sharded over two ranks, features all-gathered) must report the
mAP that the one-process run's validation reported for the same weights.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from snippet_plugin.datasets.annotation import (load_annotations,
                                                save_annotations)
from helpers import REPO
from training_probes import read_json_log

PIECE_FRAMES = 32
PIECE_STARTS = (0, 100)
BATCH = 4


def run_env():
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO), str(REPO / 'tests'), env.get('PYTHONPATH', '')])
    return env


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


def write_config(path, pieces_file, knn_file, batch_size, key_bn='local'):
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
    knn_file = mocapmix_dir / 'data' / 'mocapmix' / 'mocapmix.pkl'
    rank_order = write_pieces(knn_file, tmp_path / 'ranked.pkl',
                              range(BATCH))
    gathered_order = write_pieces(knn_file, tmp_path / 'gathered.pkl',
                                  (0, 2, 1, 3))
    assert gathered_order[:4] == [rank_order[i] for i in (0, 2, 1, 3)]

    one_cfg = tmp_path / 'one.py'
    write_config(one_cfg, tmp_path / 'gathered.pkl', knn_file, BATCH)
    runner = load_tool('train').main(
        [str(one_cfg), '--work-dir', str(tmp_path / 'one')])
    one = torch.load(tmp_path / 'one' / 'rank0.pt')
    one_map = runner.message_hub.get_scalar('val/tal/mAP_avg').current()

    two_cfg = tmp_path / 'two.py'
    # the default key_bn='shuffle' really shuffles keys across the ranks
    # here; without BN the un-shuffled keys equal unshuffled encoding
    write_config(two_cfg, tmp_path / 'ranked.pkl', knn_file, BATCH // 2,
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


FAKE_SRUN = '''#!/usr/bin/env bash
printf '%s\\n' "$@" > "$SRUN_LOG"
echo "MASTER_PORT=$MASTER_PORT" >> "$SRUN_LOG"
echo "PYTHONPATH=$PYTHONPATH" >> "$SRUN_LOG"
'''


def test_slurm_train_passes_the_job_to_srun(tmp_path):
    """MMAction2's interface: PARTITION JOB_NAME CONFIG [train options];
    a stand-in ``srun`` records what the script asks Slurm to run."""
    srun = tmp_path / 'bin' / 'srun'
    srun.parent.mkdir()
    srun.write_text(FAKE_SRUN)
    srun.chmod(0o755)
    log = tmp_path / 'srun.log'
    env = dict(os.environ,
               PATH=f"{srun.parent}{os.pathsep}{os.environ['PATH']}",
               SRUN_LOG=str(log), GPUS='16', PORT='23456',
               SRUN_ARGS='--qos=high --time=1:00:00', PYTHONPATH='/extra')
    subprocess.run(['bash', str(REPO / 'tools' / 'slurm_train.sh'), 'gpu',
                    'snippet', 'configs/x.py', '--work-dir', 'w d',
                    '--resume'], check=True, env=env, timeout=30)
    assert log.read_text().splitlines() == [
        '--partition=gpu', '--job-name=snippet', '--gres=gpu:8',
        '--ntasks=16', '--ntasks-per-node=8', '--cpus-per-task=5',
        '--kill-on-bad-exit=1', '--qos=high', '--time=1:00:00', 'python',
        '-u', str(REPO / 'tools' / 'train.py'), 'configs/x.py', '--launcher',
        'slurm', '--work-dir', 'w d', '--resume', 'MASTER_PORT=23456',
        f'PYTHONPATH={REPO}:/extra']

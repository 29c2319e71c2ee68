"""GPU checks of ``benchmarks/gpu_check.sh``, one sub-command each.

* ``units``: a bf16-autocast training step of the snippet SkeletonCLR
  (2s-AGCN) gives finite losses and moves the weights; the KNN search on
  the GPU agrees with the CPU one.
* ``ddp``: under ``torchrun`` (one process per GPU, NCCL), a DDP training
  step runs, the queues' all-gather enqueues ``world_size x batch`` keys and
  the parameters stay equal across ranks.
* ``runs``: a short pretraining (``tools/train.py`` path: mmengine Runner
  with ``configs/snippet_skeletonclr_2sagcn_babel.py``) then a KNN
  localization run (``runner.val()``) on generated BABEL-like data; prints
  clips/s of each.

``--smoke`` shrinks every shape so that the script runs on a CPU in a few
minutes (the dry run of ``gpu_check.sh --cpu-smoke``); without it the
shapes are the paper's (B=128, T=300, 2s-AGCN base 64).
"""
import argparse
import os
import os.path as osp
import tempfile
import time

import numpy as np
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper

import snippet_plugin  # noqa: F401
from mmaction.registry import MODELS
from snippet_plugin.datasets.annotation import (derive_frame_labels,
                                                derive_video_labels,
                                                load_annotations,
                                                save_annotations)
from snippet_plugin.evaluation.functional.knn import knn_topk
from synthetic import (ROOT, generated_annotation, make_batch,
                       pretrain_dataset, shrink_model)

CONFIG = osp.join(ROOT, 'configs', 'snippet_skeletonclr_2sagcn_babel.py')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('what', choices=['units', 'ddp', 'runs'])
    parser.add_argument('--smoke', action='store_true',
                        help='CPU-sized shapes (dry run)')
    parser.add_argument('--iters', type=int, default=3,
                        help='pretraining iterations of "runs"')
    return parser.parse_args(argv)


def shapes(smoke: bool) -> dict:
    """Batch, clip length, width, sequences, workers of the checks."""
    if smoke:
        return dict(batch=4, clip_len=64, base=8, sequences=12, workers=0,
                    min_frames=80, max_frames=160)
    return dict(batch=128, clip_len=300, base=64, sequences=400, workers=8,
                min_frames=400, max_frames=1000)


def device(smoke: bool) -> str:
    if smoke:
        return 'cpu'
    assert torch.cuda.is_available(), 'no CUDA device'
    return 'cuda'


def small_config(size: dict) -> Config:
    """The snippet 2s-AGCN BABEL config at ``size`` (clip, width)."""
    cfg = Config.fromfile(CONFIG)
    cfg.model = shrink_model(cfg.model.to_dict(), size['base'])
    for step in cfg.train_dataloader.dataset.pipeline:
        if step['type'] == 'RandomWindowCrop':
            step['clip_len'] = size['clip_len']
    cfg.model.dense_head.num_snippets = max(
        1, size['clip_len'] // 8 // 2)
    return cfg


def check_units(args) -> None:
    size, dev = shapes(args.smoke), device(args.smoke)
    size['sequences'] = min(size['sequences'], 40)  # batches cycle them
    cfg = small_config(size)
    ann = generated_annotation(size['sequences'], size['min_frames'],
                               size['max_frames'])
    batch = make_batch(pretrain_dataset(cfg, ann), size['batch'])
    model = MODELS.build(cfg.model).to(dev).train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    before = [p.detach().clone() for p in model.parameters()]
    with torch.autocast('cuda' if dev == 'cuda' else 'cpu',
                        dtype=torch.bfloat16):
        losses = model.train_step(batch, optim)
    finite = all(bool(torch.isfinite(v).all()) for v in losses.values())
    moved = sum(not torch.equal(a, p) for a, p in zip(before,
                                                       model.parameters()))
    rounded = {k: round(v.item(), 4) for k, v in losses.items()}
    print(f'[units] bf16 step: {rounded}'
          f' finite={finite}, {moved}/{len(before)} parameter tensors moved')
    assert finite and moved > 0, 'bf16 step failed'

    generator = torch.Generator().manual_seed(0)
    normalize = torch.nn.functional.normalize
    bank = normalize(torch.randn(5000, 64, generator=generator), dim=1)
    query = normalize(torch.randn(300, 64, generator=generator), dim=1)
    cpu_sims, cpu_inds = knn_topk(query, bank, 20, 512)
    dev_sims, dev_inds = knn_topk(query.to(dev), bank.to(dev), 20, 512)
    same = (dev_inds.cpu() == cpu_inds).float().mean().item()
    close = torch.allclose(dev_sims.cpu(), cpu_sims, atol=1e-4)
    print(f'[units] knn_topk {dev} vs cpu: {same:.4f} equal indices, '
          f'similarities close={close}')
    assert close and same > 0.99, 'GPU KNN disagrees with CPU'


def check_ddp(args) -> None:
    """One DDP step per rank; run under torchrun."""
    from mmengine.dist import all_gather, get_rank, get_world_size
    from mmengine.model import MMDistributedDataParallel
    backend = 'gloo' if args.smoke else 'nccl'
    torch.distributed.init_process_group(backend)  # env:// from torchrun
    rank, world = get_rank(), get_world_size()
    dev = 'cpu' if args.smoke else f'cuda:{torch.cuda.current_device()}'
    size = shapes(args.smoke)
    size.update(batch=min(size['batch'], 16),
                sequences=min(size['sequences'], 40))
    cfg = small_config(size)
    ann = generated_annotation(size['sequences'], size['min_frames'],
                               size['max_frames'], seed=rank)
    batch = make_batch(pretrain_dataset(cfg, ann), size['batch'])
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(dev).train()
    device_ids = None if args.smoke else [torch.cuda.current_device()]
    ddp = MMDistributedDataParallel(model, device_ids=device_ids)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    ptr = int(model.global_queue.ptr)
    losses = ddp.train_step(batch, optim)
    advanced = (int(model.global_queue.ptr) - ptr) % len(
        model.global_queue.queue)
    checksum = torch.stack([p.detach().double().sum()
                            for p in model.parameters()]).sum().reshape(1)
    sums = [float(s) for s in all_gather(checksum.to(dev))]
    ok = advanced == world * size['batch'] and max(sums) - min(sums) < 1e-6
    if rank == 0:
        print(f'[ddp] {backend}, world {world}: loss '
              f'{float(losses["loss_global"]):.4f}, queue advanced '
              f'{advanced} (expected {world * size["batch"]}), parameter '
              f'checksums equal across ranks: {max(sums) - min(sums) < 1e-6}')
    assert ok, 'DDP check failed'
    torch.distributed.destroy_process_group()


def labelled_annotation(size: dict, seed: int = 1) -> str:
    """Generated sequences with 4 classes, segments, train/val splits."""
    rng = np.random.default_rng(seed)
    base = generated_annotation(size['sequences'] // 4, size['min_frames'],
                                size['max_frames'], seed)
    data = load_annotations(base)
    data['meta']['classes'] = ['walk', 'stand', 'turn', 'jump']
    for sample in data['annotations']:
        frames = sample['total_frames']
        start = int(rng.integers(0, frames // 2))
        end = int(rng.integers(start + 10, frames))
        sample['segments'] = [[start, end, int(rng.integers(0, 4))]]
        sample['frame_labels'] = derive_frame_labels(sample['segments'],
                                                     frames, 4)
        sample['label'] = derive_video_labels(sample['segments'])
    names = [s['frame_dir'] for s in data['annotations']]
    half = len(names) // 2
    data['split'] = dict(train=names[:half], val=names[half:])
    path = osp.join(osp.dirname(base), 'subset.npz')
    save_annotations(data, path)
    return path


def check_runs(args) -> None:
    from mmengine.runner import Runner
    size, dev = shapes(args.smoke), device(args.smoke)
    cfg = small_config(size)
    pretrain = generated_annotation(size['sequences'], size['min_frames'],
                                    size['max_frames'])
    subset = labelled_annotation(size)
    cfg.work_dir = tempfile.mkdtemp(prefix='gpu_check_')
    cfg.train_dataloader.update(batch_size=size['batch'],
                                num_workers=size['workers'],
                                persistent_workers=size['workers'] > 0)
    cfg.train_dataloader.dataset.update(ann_file=pretrain, data_root='')
    for loader in (cfg.val_dataloader, cfg.val_cfg.memory_dataloader):
        loader.update(num_workers=min(size['workers'], 4),
                      persistent_workers=False)
        loader.dataset.update(ann_file=subset, data_root='')
    cfg.test_dataloader = cfg.val_dataloader
    iters_per_epoch = size['sequences'] // size['batch']
    epochs = max(1, -(-args.iters // iters_per_epoch))
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=epochs,
                         val_begin=epochs + 1)  # no validation in train()
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='AtomicCheckpointHook',
                                        interval=epochs)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.env_cfg.dist_cfg = dict(backend='nccl')
    runner = Runner.from_cfg(cfg)
    if dev == 'cpu':
        runner.model.to('cpu')
    tic = time.perf_counter()
    runner.train()
    seconds = time.perf_counter() - tic
    clips = epochs * iters_per_epoch * size['batch']
    print(f'[runs] pretraining: {epochs * iters_per_epoch} iterations of '
          f'{size["batch"]} x {size["clip_len"]} frames in {seconds:.1f} s '
          f'(incl. first-iteration warm-up): {clips / seconds:.1f} clips/s')
    tic = time.perf_counter()
    metrics = runner.val()
    seconds = time.perf_counter() - tic
    print(f'[runs] KNN localization: {len(runner.val_dataloader.dataset)} '
          f'val sequences in {seconds:.1f} s; metrics '
          f'{ {k: round(float(v), 4) for k, v in metrics.items()} }')
    assert all(np.isfinite(float(v)) for v in metrics.values())


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.manual_seed(0)
    {'units': check_units, 'ddp': check_ddp, 'runs': check_runs}[args.what](
        args)


if __name__ == '__main__':
    if 'LOCAL_RANK' in os.environ and torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ['LOCAL_RANK']))
    main()

"""Where a quick-start pretraining step's CPU time goes: its arithmetic
against what one core of this machine can do, and the top ops.

A table's wall time is mostly pretraining steps (``knn_table.py`` runs two
at a time, one thread each). This script tells whether a step is bound by
arithmetic or by overhead that code could remove, measured in one run:

- ``step s``: median ``model.train_step`` (forward, backward, the config's
  optimiser, EMA, enqueue) of the config's model on a batch made by the
  config's own pretraining pipeline from generated sequences;
- ``GFLOP``: floating-point operations of one step, counted by
  :class:`torch.utils.flop_counter.FlopCounterMode` (convolutions and
  matrix products, forward and backward; element-wise ops not counted);
- ``fresh GiB``: minor page faults per step times the page size, the
  memory a step gets from the kernel again (``SNIPPET_PLUGIN_MALLOC=default``
  shows glibc's defaults, the tools before
  :func:`~snippet_plugin.utils.allocator.keep_freed_memory`);
- ``GFLOP/s``: their rate over the step, beside the rate of a square fp32
  matrix product on the same threads (``--matmul-size``), the most this
  core reaches on dense arithmetic; ``share`` = step rate / matmul rate;
- the ``--top`` ops by self CPU time over ``--profile-steps`` steps
  (:mod:`torch.profiler`).

Example (one thread, as ``knn_table.py`` runs each job)::

    OMP_NUM_THREADS=1 python benchmarks/bench_step_flops.py \\
        --config quickstart/skeletonclr_stgcn_bandaimix
"""
import argparse
import time

import torch
from mmengine.optim import build_optim_wrapper
from torch.profiler import ProfilerActivity, profile
from torch.utils.flop_counter import FlopCounterMode

from mmaction.registry import MODELS
from snippet_plugin.utils.allocator import keep_freed_memory
from synthetic import (PAGE_BYTES, generated_annotation, load_config,
                       make_batch, median_seconds, minor_page_faults,
                       pretrain_dataset)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config',
                        default='quickstart/skeletonclr_stgcn_bandaimix',
                        help='config name under configs/, without .py')
    parser.add_argument('--batch', type=int,
                        help="default: the config's train batch size")
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--profile-steps', type=int, default=2)
    parser.add_argument('--top', type=int, default=12)
    parser.add_argument('--matmul-size', type=int, default=1024)
    return parser.parse_args(argv)


def matmul_gflops(size: int, repeats: int = 5) -> float:
    """Best GFLOP/s of a ``size`` x ``size`` fp32 matrix product."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best = float('inf')
    for _ in range(repeats):
        tic = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - tic)
    return 2 * size**3 / best / 1e9


def step_flops(step) -> int:
    """Floating-point operations of one ``step()``."""
    counter = FlopCounterMode(display=False)
    with counter:
        step()
    return counter.get_total_flops()


def fresh_gib_per_step(step, steps: int = 2) -> float:
    """Minor page faults of ``steps`` calls of ``step()``, in GiB per step."""
    faults = minor_page_faults()
    for _ in range(steps):
        step()
    return (minor_page_faults() - faults) * PAGE_BYTES / steps / 2**30


def main(argv=None) -> None:
    args = parse_args(argv)
    keep_freed_memory()  # as tools/train.py runs
    cfg = load_config(args.config)
    batch_size = args.batch or cfg.train_dataloader.batch_size
    batch = make_batch(pretrain_dataset(cfg, generated_annotation()),
                       batch_size)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model.to_dict()).train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)

    def step() -> None:
        model.train_step(batch, optim)

    seconds = median_seconds(step, 'cpu', args.steps, args.warmup)
    fresh = fresh_gib_per_step(step)
    flops = step_flops(step)
    peak = matmul_gflops(args.matmul_size)
    rate = flops / seconds / 1e9
    print(f'{args.config}: batch {batch_size}, {torch.get_num_threads()} '
          f'thread(s), median of {args.steps} steps after {args.warmup}')
    print(f'{"step s":>8} {"fresh GiB":>9} {"GFLOP":>8} {"GFLOP/s":>8} '
          f'{"matmul GFLOP/s":>15} {"share":>6}')
    print(f'{seconds:>8.3f} {fresh:>9.3f} {flops / 1e9:>8.2f} {rate:>8.1f} '
          f'{peak:>15.1f} {rate / peak:>6.2f}')
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(args.profile_steps):
            step()
    print(prof.key_averages().table(sort_by='self_cpu_time_total',
                                    row_limit=args.top))


if __name__ == '__main__':
    main()

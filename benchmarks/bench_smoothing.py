"""What the smoothed protocol costs: the KNN loop and a Stage-2 training
with and without it, side by side in one run.

1. KNN: ``tools/test.py``'s runner on ``--knn-config`` (default the MocapMix
   raw-pose floor, no checkpoint needed), its test loop run with the
   config's smoothing (the window chosen on held-out training sequences)
   and with ``smoothing=None`` (the paper's post-processing), alternating,
   ``--repeats`` times each; the ratio of the median wall times.
2. Stage 2: one training of ``--stage2-config`` (default the MocapMix
   linear floor on the raw pose: no pretraining needed) with
   ``SmoothingWindowHook``, whose own time (the holdout's predictions and
   the candidates' scores) is timed inside the same run; the ratio of the
   whole training to the training without that time. The refinement's
   cost is ``benchmarks/bench_refinement.py``'s.

Both need ``data/mocapmix/mocapmix.pkl`` (``make data``). Example::

    python benchmarks/bench_smoothing.py --repeats 3
"""
import argparse
import os.path as osp
import tempfile
import time

from mmengine.config import Config
from mmengine.runner import Runner

from mmaction.registry import HOOKS
from snippet_plugin.engine.hooks import SmoothingWindowHook
from synthetic import ROOT


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--knn-config',
                        default='configs/knn/rawpose_mocapmix.py')
    parser.add_argument(
        '--stage2-config',
        default='configs/quickstart/linear_scratch_rawpose_mocapmix.py')
    parser.add_argument('--repeats', type=int, default=3)
    return parser.parse_args(argv)


def knn_seconds(config: str, smoothing: bool, work_dir: str) -> float:
    """Wall time of one KNN test loop, with the config's smoothing or
    none."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.work_dir = work_dir
    if not smoothing:
        cfg.test_cfg.smoothing = None
    runner = Runner.from_cfg(cfg)
    tic = time.perf_counter()
    runner.test()
    return time.perf_counter() - tic


@HOOKS.register_module(name='TimedSmoothingWindowHookForBench')
class TimedSmoothingWindowHook(SmoothingWindowHook):
    """The hook, adding the seconds of its choice to :attr:`seconds`."""
    seconds = 0.0

    def after_train_epoch(self, runner) -> None:
        tic = time.perf_counter()
        super().after_train_epoch(runner)
        TimedSmoothingWindowHook.seconds += time.perf_counter() - tic


def stage2_seconds(config: str, work_dir: str) -> tuple:
    """``(training seconds without the hook's, the hook's seconds)``."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.work_dir = work_dir
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    for hook in cfg.custom_hooks:
        if hook['type'] == 'SmoothingWindowHook':
            hook['type'] = 'TimedSmoothingWindowHookForBench'
    TimedSmoothingWindowHook.seconds = 0.0
    runner = Runner.from_cfg(cfg)
    tic = time.perf_counter()
    runner.train()
    total = time.perf_counter() - tic
    return total - TimedSmoothingWindowHook.seconds, (
        TimedSmoothingWindowHook.seconds)


def median(values) -> float:
    return sorted(values)[len(values) // 2]


def main(argv=None) -> None:
    args = parse_args(argv)
    work_root = tempfile.mkdtemp(prefix='bench_smoothing_')
    times = {True: [], False: []}
    for index in range(args.repeats):
        for smoothing in (False, True):
            times[smoothing].append(knn_seconds(
                args.knn_config, smoothing,
                osp.join(work_root, f'knn_{smoothing}_{index}')))
    plain, smoothed = median(times[False]), median(times[True])
    print(f'{args.knn_config}: KNN loop {plain:.1f} s unsmoothed, '
          f'{smoothed:.1f} s with the window chosen on training data '
          f'(median of {args.repeats}): ratio {smoothed / plain:.3f}')
    training, choosing = stage2_seconds(args.stage2_config,
                                        osp.join(work_root, 'stage2'))
    print(f'{args.stage2_config}: training {training:.1f} s, choosing the '
          f'window {choosing:.1f} s: ratio '
          f'{(training + choosing) / training:.3f}')


if __name__ == '__main__':
    main()

"""Evaluate a checkpoint (MMAction2's ``tools/test.py`` command line).

Example::

    python tools/test.py CONFIG work_dirs/run1/epoch_20.pth --work-dir out/
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import snippet_plugin  # noqa: F401  (registers modules, safe checkpoints)


def parse_args(argv=None):
    """Command-line arguments, as in MMAction2's ``tools/test.py``."""
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where logs and metrics go')
    parser.add_argument(
        '--dump', type=str, help='dump predictions to this pickle file')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision inference')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. test_dataloader.batch_size=4')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args):
    """Apply the command-line options to ``cfg`` and return it."""
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.amp:
        cfg.test_cfg = dict(cfg.get('test_cfg') or {}, fp16=True)
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump {args.dump}: must be a .pkl file')
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        evaluators = cfg.test_evaluator
        cfg.test_evaluator = ([*evaluators, dump_metric] if isinstance(
            evaluators, (list, tuple)) else [evaluators, dump_metric])
    return cfg


def main(argv=None):
    """Build the runner from the config and run the test loop."""
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    runner = Runner.from_cfg(cfg)
    return runner.test()


if __name__ == '__main__':
    main()

"""Evaluate a checkpoint (MMAction2's ``tools/test.py`` command line).

Example::

    python tools/test.py CONFIG work_dirs/run1/epoch_20.pth --work-dir out/
"""
import argparse
from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner

import snippet_plugin  # noqa: F401  (registers modules, safe checkpoints)
from snippet_plugin.engine.cli import (add_runner_arguments,
                                       apply_runner_arguments,
                                       exit_on_missing_dataset,
                                       init_cpu_process_group,
                                       parse_runner_args)

DATA_TOOLS = Path(__file__).resolve().parent / 'data'


def parse_args(argv=None):
    """Command-line arguments, as in MMAction2's ``tools/test.py``."""
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    add_runner_arguments(parser)
    parser.add_argument(
        '--dump', type=str, help='dump predictions to this pickle file')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision inference')
    return parse_runner_args(parser, argv)


def merge_args(cfg, args):
    """Apply the command-line options to ``cfg`` and return it."""
    cfg = apply_runner_arguments(cfg, args)
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
    init_cpu_process_group(cfg)
    with exit_on_missing_dataset(DATA_TOOLS):
        runner = Runner.from_cfg(cfg)
        return runner.test()


if __name__ == '__main__':
    main()

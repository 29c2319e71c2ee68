"""Train a snippet_plugin model (MMAction2's ``tools/train.py`` command line).

Examples::

    python tools/train.py configs/quickstart/snippet_skeletonclr_stgcn_mocapmix.py
    python tools/train.py CONFIG --work-dir work_dirs/run1 --resume
    python tools/train.py CONFIG --cfg-options train_cfg.max_epochs=5
    python tools/train.py CONFIG --tensorboard   # + TensorBoard event files
    bash tools/dist_train.sh CONFIG 2          # DDP, one process per GPU

Run as a script, the tool first tells glibc to keep freed memory for reuse
(:func:`snippet_plugin.utils.allocator.keep_freed_memory`): a CPU training
step then reuses its pages instead of faulting several GiB of fresh ones
(``docs/performance.md``). ``SNIPPET_PLUGIN_MALLOC=default`` or a
``glibc.malloc`` tunable of your own in ``GLIBC_TUNABLES`` keeps glibc's
defaults.
"""
import argparse
from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner

import snippet_plugin  # noqa: F401  (registers modules, safe checkpoints)
from snippet_plugin.engine.cli import (add_runner_arguments,
                                       add_tensorboard_backend,
                                       apply_runner_arguments,
                                       cpu_process_group,
                                       exit_on_missing_dataset,
                                       parse_runner_args)
from snippet_plugin.utils.allocator import keep_freed_memory
from snippet_plugin.utils.output_paths import (exit_on_unwritable_output,
                                          make_output_folder)

DATA_TOOLS = Path(__file__).resolve().parent / 'data'


def parse_args(argv=None):
    """Command-line arguments, as in MMAction2's ``tools/train.py``."""
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    add_runner_arguments(parser)
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or from the latest one in '
        'the work dir when no path is given')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate with the total batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='give each rank a different seed')
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='use deterministic algorithms')
    parser.add_argument(
        '--tensorboard',
        action='store_true',
        help='also log to TensorBoard (needs `pip install tensorboard`); '
        'events go to WORK_DIR/<timestamp>/vis_data')
    return parse_runner_args(parser, argv)


def merge_args(cfg, args):
    """Apply the command-line options to ``cfg`` and return it."""
    cfg = apply_runner_arguments(cfg, args)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    # mmengine's Config.setdefault returns a copy when the key is new, so
    # each section is read, changed and assigned back
    if args.auto_scale_lr:
        cfg.auto_scale_lr = dict(cfg.get('auto_scale_lr') or {}, enable=True)
    randomness = dict(cfg.get('randomness') or {})
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if args.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness
    if args.tensorboard:
        add_tensorboard_backend(cfg)
    return cfg


def main(argv=None):
    """Build the runner from the config and train."""
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    make_output_folder(cfg.work_dir)
    with cpu_process_group(cfg), exit_on_missing_dataset(DATA_TOOLS):
        runner = Runner.from_cfg(cfg)
        runner.train()
    return runner


if __name__ == '__main__':
    keep_freed_memory()
    with exit_on_unwritable_output():
        main()

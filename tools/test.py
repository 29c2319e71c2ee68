"""Evaluate a checkpoint (MMAction2's ``tools/test.py`` command line).

The checkpoint is optional for a model with nothing to learn (the raw-pose
floor, ``RawPoseEncoder``). ``--random-init`` evaluates any config's model at
its seeded random initialisation instead of a checkpoint: the runner seeds
(``--seed``, else the config's ``randomness.seed``), builds the model and
calls its ``init_weights`` as training's first step does; a
``model.pretrained`` path is ignored. A model with parameters and neither a
checkpoint nor ``--random-init`` is refused.

Examples::

    python tools/test.py CONFIG work_dirs/run1/epoch_20.pth --work-dir out/
    python tools/test.py configs/knn/rawpose_mocapmix.py
    python tools/test.py configs/quickstart/skeletonclr_stgcn_mocapmix.py \
        --random-init --seed 0

Run as a script, the tool first tells glibc to keep freed memory for reuse
(:func:`snippet_plugin.utils.allocator.keep_freed_memory`): large
feature blocks are then reused instead of faulted in afresh every batch
(``docs/performance.md``). ``SNIPPET_PLUGIN_MALLOC=default`` or a
``glibc.malloc`` tunable of your own in ``GLIBC_TUNABLES`` keeps glibc's
defaults.
"""
import argparse
from pathlib import Path

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import snippet_plugin  # noqa: F401  (registers modules, safe checkpoints)
from mmaction.registry import MODELS
from snippet_plugin.engine.cli import (add_runner_arguments,
                                       apply_runner_arguments,
                                       cpu_process_group,
                                       exit_on_missing_dataset,
                                       parse_runner_args)
from snippet_plugin.engine.runner_model import unwrapped_model
from snippet_plugin.utils.allocator import keep_freed_memory
from snippet_plugin.utils.output_paths import (exit_on_unwritable_output,
                                          make_output_folder,
                                          make_output_parent)

DATA_TOOLS = Path(__file__).resolve().parent / 'data'


def parse_args(argv=None):
    """Command-line arguments, as in MMAction2's ``tools/test.py``."""
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='checkpoint file; not needed for a model without parameters '
        'or with --random-init')
    add_runner_arguments(parser)
    parser.add_argument(
        '--random-init',
        action='store_true',
        help='evaluate the seeded random initialisation (no checkpoint)')
    parser.add_argument(
        '--seed',
        type=int,
        default=None,
        help='random seed (randomness.seed); picks the --random-init weights')
    parser.add_argument(
        '--dump', type=str, help='dump predictions to this pickle file')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision inference')
    return parse_runner_args(parser, argv)


def merge_args(cfg, args):
    """Apply the command-line options to ``cfg`` and return it."""
    if args.random_init and args.checkpoint is not None:
        raise ValueError(f'{args.checkpoint}: give a checkpoint or '
                         '--random-init, not both')
    cfg = apply_runner_arguments(cfg, args)
    cfg.load_from = args.checkpoint
    if args.seed is not None:
        cfg.randomness = dict(cfg.get('randomness') or {}, seed=args.seed)
    if args.random_init and 'pretrained' in cfg.model:
        cfg.model.pretrained = None
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


def refuse_unlearned_model(cfg, args) -> None:
    """Raise ``ValueError`` if the model has parameters but neither a
    checkpoint nor ``--random-init`` says where its weights come from."""
    if args.checkpoint is not None or args.random_init:
        return
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    count = sum(p.numel() for p in MODELS.build(cfg.model).parameters())
    if count:
        raise ValueError(
            f'{args.config}: {cfg.model.type} has {count} parameters and no '
            'checkpoint was given. Pass the checkpoint to evaluate, or '
            '--random-init (with --seed N) to evaluate the seeded random '
            'initialisation.')


def main(argv=None):
    """Build the runner from the config and run the test loop."""
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    refuse_unlearned_model(cfg, args)
    make_output_folder(cfg.work_dir)
    if args.dump is not None:
        make_output_parent(args.dump)
    with cpu_process_group(cfg), exit_on_missing_dataset(DATA_TOOLS):
        runner = Runner.from_cfg(cfg)
        if args.random_init:
            unwrapped_model(runner).init_weights()
        return runner.test()


if __name__ == '__main__':
    keep_freed_memory()
    with exit_on_unwritable_output():
        main()

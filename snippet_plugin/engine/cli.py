"""What ``tools/train.py`` and ``tools/test.py`` share: command-line options
and how they reach the config (``--cfg-options subset=...`` included), and
the one-line exit on a missing dataset.

It lives in ``engine`` (not ``utils``) because it knows the datasets' errors;
``utils`` imports nothing of the plug-in above it."""
import argparse
import contextlib
import importlib.util
import os
import os.path as osp
from pathlib import Path
from typing import Iterator

import torch
import torch.distributed as torch_dist
from mmengine.config import Config, DictAction

from ..datasets.annotation import AnnotationFileNotFoundError
from ..utils.subset import (RUNNER_DATA_KEYS, SUBSET_KEY, resolve_subset,
                            subset_templates)

DATASETS_DOC = 'docs/datasets.md'


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank``."""
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. train_cfg.max_epochs=5')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_runner_args(parser: argparse.ArgumentParser,
                      argv=None) -> argparse.Namespace:
    """Parse ``argv`` and export ``LOCAL_RANK`` for the launcher."""
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def apply_runner_arguments(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge ``--cfg-options``, resolve the subset, set the launcher and the
    work dir.

    ``--cfg-options subset=NAME`` picks a dataset subset: it fills every
    ``ann_file`` template of the config
    (:func:`~snippet_plugin.utils.subset.resolve_subset`).

    The work dir is ``--work-dir``, else the config's, else
    ``./work_dirs/<config name>`` (MMAction2's rule), with ``_<subset>``
    appended when ``--cfg-options`` changed the config's subset, so that
    runs on another subset never share (and overwrite) checkpoints.

    Raises:
        SystemExit: ``--cfg-options`` sets ``subset`` for a config none of
            whose dataloaders reads a subset (the override would change
            nothing).
    """
    default_subset = cfg.get(SUBSET_KEY)
    options = args.cfg_options or {}
    if SUBSET_KEY in options and not subset_templates(cfg, RUNNER_DATA_KEYS):
        raise SystemExit(
            f'--cfg-options {SUBSET_KEY}={options[SUBSET_KEY]}: no dataloader '
            f'of {args.config} reads a dataset subset')
    cfg.merge_from_dict(options)
    resolve_subset(cfg)
    cfg.launcher = args.launcher
    if args.launcher == 'pytorch' and not torch.cuda.is_available():
        use_cpu_process_group(cfg)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        name = osp.splitext(osp.basename(args.config))[0]
        if cfg.get(SUBSET_KEY) != default_subset:
            name = f'{name}_{cfg[SUBSET_KEY]}'
        cfg.work_dir = osp.join('./work_dirs', name)
    return cfg


def use_cpu_process_group(cfg: Config) -> None:
    """Configure a ``torchrun`` job on CPUs: gloo backend, CPU DDP.

    mmengine 0.10's DDP wrapper passes ``device_ids``, which DDP refuses for
    CPU modules, so the wrapper gets ``device_ids=None``. Its ``init_dist``
    calls ``torch.cuda.set_device``, which a CPU-only torch lacks: the tools
    build the runner inside :func:`cpu_process_group`.
    """
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = (
        'gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


@contextlib.contextmanager
def cpu_process_group(cfg: Config) -> Iterator[None]:
    """The gloo process group of a CPU ``torchrun`` job (environment from
    torchrun), for the duration of the block; mmengine then skips its own
    ``init_dist``. No-op for other launchers, with CUDA, or when a group
    exists.

    A group started here is torn down when the block ends normally, after
    a barrier: left to interpreter exit, gloo's threads can be destroyed
    while still joinable, and a rank then aborts ("terminate called
    without an active exception") after a successful run.
    """
    started = (cfg.get('launcher') == 'pytorch'
               and not torch.cuda.is_available()
               and not torch_dist.is_initialized())
    if started:
        torch_dist.init_process_group(backend='gloo')
    yield
    if started:
        torch_dist.barrier()
        torch_dist.destroy_process_group()


def add_tensorboard_backend(cfg: Config) -> Config:
    """Log to TensorBoard as well: mmengine's ``TensorboardVisBackend``
    joins the visualizer's backends (once); events go to
    ``<work_dir>/<timestamp>/vis_data``.

    Raises:
        SystemExit: the ``tensorboard`` package is not installed (the
            message says ``pip install tensorboard``).
    """
    if importlib.util.find_spec('tensorboard') is None:
        raise SystemExit('--tensorboard needs the tensorboard package, '
                         'which is not installed: pip install tensorboard')
    visualizer = cfg.get('visualizer') or dict(type='ActionVisualizer')
    backends = list(visualizer.get('vis_backends') or [])
    if not any(b.get('type') == 'TensorboardVisBackend' for b in backends):
        backends.append(dict(type='TensorboardVisBackend'))
    visualizer['vis_backends'] = backends
    cfg.visualizer = visualizer
    return cfg


def prepare_command(missing_file: str, data_tools: Path) -> str:
    """The ``tools/data/prepare_<dataset>.py`` script that writes
    ``missing_file``: the one whose dataset name the path contains, else a
    generic pointer to ``data_tools``."""
    scripts = sorted(data_tools.glob('prepare_*.py'))
    path = missing_file.lower()
    for script in scripts:
        if script.stem[len('prepare_'):] in path:
            return f'python tools/data/{script.name}'
    return 'the matching tools/data/prepare_*.py script'


@contextlib.contextmanager
def exit_on_missing_dataset(data_tools: Path) -> Iterator[None]:
    """Turn a missing annotation file into one line and exit status 1.

    On a fresh clone the data are not prepared; instead of a traceback the
    user reads which file is missing, the prepare script that writes it and
    :data:`DATASETS_DOC`.

    Args:
        data_tools: The ``tools/data`` folder, where the prepare scripts are.
    """
    try:
        yield
    except AnnotationFileNotFoundError as err:
        raise SystemExit(
            f'{err}. Prepare the dataset first: '
            f'{prepare_command(err.path, data_tools)} (see {DATASETS_DOC})'
        ) from None

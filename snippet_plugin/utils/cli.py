"""Command-line options shared by ``tools/train.py`` and ``tools/test.py``."""
import argparse
import os
import os.path as osp

import torch
import torch.distributed as torch_dist
from mmengine.config import Config, DictAction


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
    """Merge ``--cfg-options``, set the launcher and the work dir.

    The work dir is ``--work-dir``, else the config's, else
    ``./work_dirs/<config name>`` (MMAction2's rule).
    """
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.launcher == 'pytorch' and not torch.cuda.is_available():
        use_cpu_process_group(cfg)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


def use_cpu_process_group(cfg: Config) -> None:
    """Configure a ``torchrun`` job on CPUs: gloo backend, CPU DDP.

    mmengine 0.10's DDP wrapper passes ``device_ids``, which DDP refuses for
    CPU modules, so the wrapper gets ``device_ids=None``. Its ``init_dist``
    calls ``torch.cuda.set_device``, which a CPU-only torch lacks: the tools
    call :func:`init_cpu_process_group` before building the runner.
    """
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = (
        'gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def init_cpu_process_group(cfg: Config) -> None:
    """Start the gloo process group of a CPU ``torchrun`` job (environment
    from torchrun); mmengine then skips its own ``init_dist``. No-op for
    other launchers, with CUDA, or when a group exists."""
    if (cfg.get('launcher') == 'pytorch' and not torch.cuda.is_available()
            and not torch_dist.is_initialized()):
        torch_dist.init_process_group(backend='gloo')

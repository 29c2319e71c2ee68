"""Shared pieces of the benchmarks: generated data, configs, timing.

Generated skeletons are smooth random walks (``(1, T, 25, 3)`` float32 in
metres, z up), saved as a pickle-free ``.npz`` annotation, so the real
pipelines (normalisation, cropping, views) run on them unchanged.
"""
import os.path as osp
import resource
import tempfile
import time
from typing import Callable, Dict, List

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

import snippet_plugin  # noqa: F401  (registers modules)
from mmaction.registry import DATASETS
from snippet_plugin.datasets.annotation import save_annotations

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def generated_annotation(num_sequences: int = 16, min_frames: int = 400,
                         max_frames: int = 1000, seed: int = 0) -> str:
    """Write random-walk sequences to a temporary ``.npz``; return its path.

    Pretraining-only samples (no segments), one person, 25 joints.
    """
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(num_sequences):
        frames = int(rng.integers(min_frames, max_frames + 1))
        rest = rng.normal(0, 0.3, (1, 1, 25, 3)) + [0, 0, 1.0]
        walk = np.cumsum(rng.normal(0, 0.005, (1, frames, 25, 3)), axis=1)
        samples.append(dict(frame_dir=f'seq{index:03d}', total_frames=frames,
                            keypoint=(rest + walk).astype(np.float32)))
    data = dict(meta=dict(fps=30, layout='nturgb+d'),
                split=dict(train=[s['frame_dir'] for s in samples]),
                annotations=samples)
    path = osp.join(tempfile.mkdtemp(prefix='bench_'), 'generated.npz')
    save_annotations(data, path)
    return path


def load_config(name: str) -> Config:
    """``configs/<name>.py``."""
    return Config.fromfile(osp.join(ROOT, 'configs', f'{name}.py'))


def pretrain_dataset(cfg: Config, ann_file: str):
    """The config's training dataset on ``ann_file``."""
    dataset_cfg = cfg.train_dataloader.dataset.copy()
    while 'dataset' in dataset_cfg:  # RepeatDataset and other wrappers
        dataset_cfg = dataset_cfg.dataset.copy()
    dataset_cfg.update(ann_file=ann_file, data_root='', split=None)
    return DATASETS.build(dataset_cfg)


def shrink_model(model_cfg: dict, base_channels: int) -> dict:
    """``model_cfg`` with the backbone at ``base_channels`` and every head
    whose ``in_channels`` was the backbone's output narrowed to match."""
    backbone = model_cfg['backbone']['backbone']
    old = backbone.get('base_channels', 64) * 4
    backbone['base_channels'] = base_channels
    for key, value in model_cfg.items():
        if key.endswith('head') and isinstance(value, dict):
            for field in ('in_channels', 'hidden_channels'):
                if value.get(field) == old:
                    value[field] = base_channels * 4
    return model_cfg


def make_batch(dataset, batch: int) -> Dict:
    """``batch`` pipeline outputs (cycling the dataset), collated."""
    items = [dataset[i % len(dataset)] for i in range(batch)]
    return pseudo_collate(items)


def synchronize(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def median_seconds(step: Callable[[], None], device: str, steps: int,
                   warmup: int) -> float:
    """Median wall time of ``step()`` over ``steps`` after ``warmup`` runs."""
    times: List[float] = []
    for index in range(warmup + steps):
        synchronize(device)
        tic = time.perf_counter()
        step()
        synchronize(device)
        if index >= warmup:
            times.append(time.perf_counter() - tic)
    return sorted(times)[len(times) // 2]


def interleaved_medians(steps: Dict[str, Callable[[], float]], steps_each: int,
                        warmup: int) -> Dict[str, float]:
    """Median of what each ``steps[name]()`` returns (its seconds) over
    ``steps_each`` rounds after ``warmup``; one round calls every step once,
    so that the variants share the machine's state side by side."""
    times: Dict[str, List[float]] = {name: [] for name in steps}
    for index in range(warmup + steps_each):
        for name, step in steps.items():
            seconds = step()
            if index >= warmup:
                times[name].append(seconds)
    return {name: sorted(t)[len(t) // 2] for name, t in times.items()}


PAGE_BYTES = resource.getpagesize()


def minor_page_faults() -> int:
    """Minor page faults of this process so far: times :data:`PAGE_BYTES`,
    the memory it had to get from the kernel again (``resource.getrusage``;
    insensitive to other processes, unlike wall time)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def training_step_timer(model: torch.nn.Module, batch: Dict, optim,
                        device: str) -> Callable[[], float]:
    """A function running one ``model.train_step(batch, optim)`` and
    returning its wall seconds (the device synchronised around it)."""

    def step() -> float:
        synchronize(device)
        tic = time.perf_counter()
        model.train_step(batch, optim)
        synchronize(device)
        return time.perf_counter() - tic

    return step

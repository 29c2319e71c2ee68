"""Data pipeline throughput vs model step time, measured side by side.

The pipeline is the BABEL pretraining pipeline of ``--config`` (normalise,
300-frame window, two views of pad-crop + shear, pack) on generated
sequences, run in this one process (one worker). The model step is a full
``train_step`` (forward, backward, SGD, EMA, enqueue) of the config's model
on a batch made by that pipeline. Printed: pipeline clips/s per worker,
model clips/s (batch / step time) at the shapes actually measured, and their
ratio, i.e. how many loader workers keep that model fed. Nothing is
extrapolated: on CPU the default model step is reduced (base channels 16,
batch 8); ``--device cuda`` defaults to the paper's shape (2s-AGCN, base 64,
batch 128 x 300 frames).

Examples::

    python benchmarks/bench_pipeline.py                       # CPU
    python benchmarks/bench_pipeline.py --device cuda         # paper shape
"""
import argparse

import torch
from mmengine.optim import OptimWrapper

from mmaction.registry import MODELS
from synthetic import (generated_annotation, load_config, make_batch,
                       median_seconds, pretrain_dataset, shrink_model)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default='skeletonclr_2sagcn_babel')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--clips', type=int, default=40,
                        help='pipeline items timed')
    parser.add_argument('--batch', type=int,
                        help='model batch (default: 128 on cuda, 8 on cpu)')
    parser.add_argument('--base-channels', type=int,
                        help='backbone width (default: 64 on cuda, 16 on '
                        'cpu)')
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    args = parser.parse_args(argv)
    cuda = args.device.startswith('cuda')
    args.batch = args.batch or (128 if cuda else 8)
    args.base_channels = args.base_channels or (64 if cuda else 16)
    return args


def pipeline_clips_per_second(dataset, clips: int) -> float:
    """Items per second of ``dataset[i]`` in this process."""
    seconds = median_seconds(lambda: [dataset[i % len(dataset)]
                                      for i in range(clips)],
                             'cpu', steps=1, warmup=0)
    return clips / seconds


def model_step_seconds(cfg, dataset, args) -> float:
    """Median ``train_step`` time at ``args.batch``."""
    model = MODELS.build(shrink_model(cfg.model.to_dict(),
                                      args.base_channels))
    model = model.to(args.device).train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01,
                                         momentum=0.9))
    batch = make_batch(dataset, args.batch)
    return median_seconds(lambda: model.train_step(batch, optim),
                          args.device, args.steps, args.warmup)


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.manual_seed(0)
    cfg = load_config(args.config)
    dataset = pretrain_dataset(cfg, generated_annotation())
    frames = dataset[0]['inputs'].shape
    pipeline_rate = pipeline_clips_per_second(dataset, args.clips)
    step = model_step_seconds(cfg, dataset, args)
    model_rate = args.batch / step
    print(f'{args.config}: clip {tuple(frames)} (views, M, T, V, C)')
    print(f'pipeline (1 worker, cpu): {pipeline_rate:8.1f} clips/s')
    print(f'model step ({args.device}, batch {args.batch}, base '
          f'{args.base_channels}): {step:.3f} s = {model_rate:.1f} clips/s')
    print(f'model / pipeline throughput: {model_rate / pipeline_rate:.3g} '
          '(loader workers needed to keep the model busy)')


if __name__ == '__main__':
    main()

"""Pretraining step time and peak memory per method, with and without
snippets, in fp32 eager and (optionally) bf16 autocast / ``torch.compile``.

Methods are picked by config: ``configs/<method>_2sagcn_babel.py`` and its
``snippet_`` twin; a method whose config is missing or whose model type is
not registered is skipped with a note (AimCLR / HiCLR / RVTCLR land from
other branches). Batches come from the config's own pretraining pipeline on
generated sequences, so every method gets the views it expects.

Each row is measured in one run, side by side: median full ``train_step``
(forward, backward, SGD, EMA, enqueue) and, on CUDA, peak allocated memory;
the ``bf16`` and ``compile`` columns give the speed-up over fp32 eager of
the same row. ``--device cuda`` defaults to the paper's shape (2s-AGCN,
base 64, B=128, T=300); the CPU default is reduced (base 16, B=8).

Examples::

    python benchmarks/bench_train_step.py                     # CPU, fp32
    python benchmarks/bench_train_step.py --amp bf16
    python benchmarks/bench_train_step.py --device cuda --amp bf16 --compile
"""
import argparse
import contextlib
import os.path as osp

import torch
from mmengine.optim import OptimWrapper

from mmaction.registry import MODELS
from synthetic import (ROOT, generated_annotation, load_config, make_batch,
                       median_seconds, pretrain_dataset, shrink_model)

METHODS = ('skeletonclr', 'aimclr', 'hiclr', 'rvtclr')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--methods', nargs='+', default=list(METHODS))
    parser.add_argument('--backbone', default='2sagcn')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--amp', choices=['none', 'bf16'], default='none')
    parser.add_argument('--compile', action='store_true',
                        help='also time torch.compile of the backbones')
    parser.add_argument('--batch', type=int,
                        help='default: 128 on cuda, 8 on cpu')
    parser.add_argument('--base-channels', type=int,
                        help='default: 64 on cuda, 16 on cpu')
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=1)
    args = parser.parse_args(argv)
    cuda = args.device.startswith('cuda')
    args.batch = args.batch or (128 if cuda else 8)
    args.base_channels = args.base_channels or (64 if cuda else 16)
    return args


def method_configs(method: str, backbone: str):
    """``(baseline, snippet)`` configs, or a reason to skip the method."""
    name = f'{method}_{backbone}_babel'
    names = [name, f'snippet_{name}']
    missing = [n for n in names
               if not osp.isfile(osp.join(ROOT, 'configs', f'{n}.py'))]
    if missing:
        return None, f'no config {missing[0]}.py'
    configs = [load_config(n) for n in names]
    model_type = configs[0].model.type
    if MODELS.get(model_type) is None:
        return None, f'model type {model_type!r} is not registered'
    return configs, None


def compile_backbones(model) -> None:
    """``torch.compile`` the query and key backbones' forward in place
    (state-dict keys unchanged, so the EMA update still pairs them)."""
    encoders = [model.encoder_q]
    if hasattr(model, 'encoder_k'):
        encoders.append(getattr(model.encoder_k, 'module', model.encoder_k))
    for encoder in encoders:
        backbone = encoder['backbone']
        backbone.forward = torch.compile(backbone.forward)


def measure(cfg, batch, args, mode: str):
    """``(median step seconds, peak MiB or None)`` of one mode."""
    torch.manual_seed(0)
    model = MODELS.build(shrink_model(cfg.model.to_dict(),
                                      args.base_channels))
    model = model.to(args.device).train()
    if mode == 'compile':
        compile_backbones(model)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01,
                                         momentum=0.9))
    device_type = 'cuda' if args.device.startswith('cuda') else 'cpu'

    def step():
        context = (torch.autocast(device_type, dtype=torch.bfloat16)
                   if mode == 'bf16' else contextlib.nullcontext())
        with context:
            losses = model.train_step(batch, optim)
        if not all(torch.isfinite(v).all() for v in losses.values()):
            raise FloatingPointError(f'{mode}: non-finite loss {losses}')

    if device_type == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    seconds = median_seconds(step, args.device, args.steps, args.warmup)
    peak = (torch.cuda.max_memory_allocated() / 2**20
            if device_type == 'cuda' else None)
    return seconds, peak


def main(argv=None) -> None:
    args = parse_args(argv)
    modes = ['fp32'] + (['bf16'] if args.amp == 'bf16' else []) + (
        ['compile'] if args.compile else [])
    ann_file = generated_annotation()
    print(f'{args.backbone} base {args.base_channels}, batch {args.batch}, '
          f'{args.device}, median of {args.steps} steps; speed-up = fp32 '
          'eager time / mode time')
    header = f'{"method":<12} {"variant":<9}' + ''.join(
        f' {m + " s":>10}' for m in modes) + ''.join(
            f' {m + " x":>10}' for m in modes[1:]) + f' {"peak MiB":>9}'
    print(header)
    for method in args.methods:
        configs, reason = method_configs(method, args.backbone)
        if configs is None:
            print(f'{method:<12} skipped: {reason}')
            continue
        for variant, cfg in zip(('baseline', 'snippet'), configs):
            batch = make_batch(pretrain_dataset(cfg, ann_file), args.batch)
            results = {mode: measure(cfg, batch, args, mode) for mode in modes}
            row = f'{method:<12} {variant:<9}' + ''.join(
                f' {results[m][0]:>10.4f}' for m in modes) + ''.join(
                    f' {results["fp32"][0] / results[m][0]:>10.2f}'
                    for m in modes[1:])
            peaks = [p for _, p in results.values() if p is not None]
            row += f' {max(peaks):>9.0f}' if peaks else f' {"-":>9}'
            print(row, flush=True)


if __name__ == '__main__':
    main()

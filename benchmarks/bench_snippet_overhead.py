"""Training-step cost of the snippet branch: snippet / baseline, side by side.

Builds the SkeletonCLR baseline and its snippet variant with the same
backbone, widths, batch and input length, then times full training steps
(forward, backward, SGD update, EMA update, enqueue) interleaved: one step
of each in turn, so drift of the machine affects both alike. Peak memory is
measured per variant in a fresh child process (CUDA: peak allocated; CPU:
peak resident set minus the resident set before building).

Examples::

    python benchmarks/bench_snippet_overhead.py                 # CPU, reduced shape
    python benchmarks/bench_snippet_overhead.py --device cuda --batch 128 --frames 300
"""
import argparse
import json
import resource
import subprocess
import sys

import torch
from mmengine.optim import OptimWrapper

import snippet_plugin  # noqa: F401  (registers the models)
from mmaction.registry import MODELS
from synthetic import interleaved_medians, training_step_timer

BACKBONES = {
    'stgcn': dict(type='STGCN', graph_cfg=dict(layout='nturgb+d',
                                               mode='stgcn_spatial')),
    '2sagcn': dict(type='AAGCN', data_bn_type='VC',
                   graph_cfg=dict(layout='nturgb+d', mode='spatial')),
}


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--backbone', choices=sorted(BACKBONES),
                        default='2sagcn')
    parser.add_argument('--base-channels', type=int, default=64)
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--frames', type=int, default=150)
    parser.add_argument('--num-snippets', type=int, default=None,
                        help='default: the paper ratio, T/8 features / 2')
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--measure-memory', choices=['baseline', 'snippet'],
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def build_model(args, snippet: bool):
    """SkeletonMoCo at the requested shape, with or without the dense head."""
    channels = args.base_channels * 4
    num_snippets = args.num_snippets or max(1, -(-args.frames // 8) // 2)
    model = dict(
        type='SkeletonMoCo',
        backbone=dict(
            type='MultiScaleGCN',
            backbone=dict(BACKBONES[args.backbone],
                          base_channels=args.base_channels,
                          down_stages=[2, 5, 8], inflate_stages=[5, 8])),
        global_head=dict(type='GlobalProjectionHead', in_channels=channels,
                         hidden_channels=channels, out_channels=128))
    if snippet:
        model['dense_head'] = dict(type='DenseProjectionHead',
                                   in_channels=channels, out_channels=128,
                                   num_snippets=num_snippets)
    return MODELS.build(model).to(args.device).train()


def make_batch(args) -> dict:
    """Two views of random skeletons, ``(N, 2, M, T, V, C)``."""
    inputs = torch.randn(args.batch, 2, 1, args.frames, 25, 3)
    return dict(inputs=list(inputs), data_samples=None)


def step_timer(args, model):
    """A function running one training step and returning its seconds."""
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01,
                                         momentum=0.9))
    return training_step_timer(model, make_batch(args), optim, args.device)


def resident_mib() -> float:
    """Current resident set size of this process (Linux)."""
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def measure_memory(args) -> float:
    """Peak memory (MiB) of building and training one variant."""
    before = resident_mib()
    model = build_model(args, snippet=args.measure_memory == 'snippet')
    step = step_timer(args, model)
    if args.device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    for _ in range(2):
        step()
    if args.device.startswith('cuda'):
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before


def peak_memory_in_child(variant: str) -> float:
    """Run :func:`measure_memory` for ``variant`` in a fresh process."""
    command = [sys.executable, __file__, *sys.argv[1:], '--measure-memory',
               variant]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])['peak_mib']


def main(argv=None) -> None:
    """Time both variants interleaved and print the ratios."""
    args = parse_args(argv)
    if args.measure_memory:
        print(json.dumps(dict(peak_mib=measure_memory(args))))
        return
    torch.manual_seed(0)
    steps = {name: step_timer(args, build_model(args, snippet=name ==
                                                'snippet'))
             for name in ('baseline', 'snippet')}
    median = interleaved_medians(steps, args.steps, args.warmup)
    memory = {name: peak_memory_in_child(name) for name in steps}
    print(f'{args.backbone} (base {args.base_channels}), batch '
          f'{args.batch} x 2 views x {args.frames} frames, {args.device}, '
          f'{args.steps} interleaved steps')
    print(f'{"variant":<10} {"step (s)":>9} {"peak (MiB)":>11}')
    for name in steps:
        print(f'{name:<10} {median[name]:9.4f} {memory[name]:11.1f}')
    print(f'step time snippet / baseline: '
          f'{median["snippet"] / median["baseline"]:.3f}')
    print(f'peak memory snippet / baseline: '
          f'{memory["snippet"] / memory["baseline"]:.3f}')


if __name__ == '__main__':
    main()

"""Backbone cost side by side: parameters and forward+backward time.

Builds STGCN, AAGCN (2s-AGCN: ``data_bn_type='VC'``), UNIK and HyperGCN with
the same STGCN arguments (paper T/8 layout: stride 2 at stages 2, 5, 8;
widths base/2 base/4 base) and times one forward + backward of the summed
output on the same random batch ``(B, 1, T, 25, 3)``. Timing is interleaved
(one pass of each backbone in turn, repeated), so drift of the machine
affects all alike; the median per backbone is reported, and its ratio to
STGCN's.

Examples::

    python benchmarks/bench_backbones.py                   # B 8, T 150, CPU
    python benchmarks/bench_backbones.py --base-channels 16 --repeats 3
"""
import argparse
import statistics
import time

import torch

import snippet_plugin  # noqa: F401  (registers UNIK and HyperGCN)
from mmaction.registry import MODELS

STGCN_GRAPH = dict(layout='nturgb+d', mode='stgcn_spatial')
BACKBONES = {
    'STGCN': dict(type='STGCN', graph_cfg=STGCN_GRAPH),
    'AAGCN': dict(type='AAGCN', data_bn_type='VC',
                  graph_cfg=dict(layout='nturgb+d', mode='spatial')),
    'UNIK': dict(type='UNIK', graph_cfg=STGCN_GRAPH),
    'HyperGCN': dict(type='HyperGCN', graph_cfg=STGCN_GRAPH),
}


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--frames', type=int, default=150)
    parser.add_argument('--base-channels', type=int, default=64)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def build(name: str, args) -> torch.nn.Module:
    """One backbone in the paper's T/8 layout, in train mode."""
    cfg = dict(BACKBONES[name], base_channels=args.base_channels,
               down_stages=[2, 5, 8], inflate_stages=[5, 8])
    return MODELS.build(cfg).to(args.device).train()


def forward_backward_seconds(model: torch.nn.Module,
                             x: torch.Tensor) -> float:
    """Wall time of one forward + backward pass."""
    if x.is_cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    model(x).sum().backward()
    if x.is_cuda:
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    model.zero_grad(set_to_none=True)
    return elapsed


def main(argv=None) -> dict:
    """Print a table; return ``{name: (params, median seconds)}``."""
    args = parse_args(argv)
    torch.manual_seed(0)
    models = {name: build(name, args) for name in BACKBONES}
    x = torch.randn(args.batch, 1, args.frames, 25, 3, device=args.device)
    times = {name: [] for name in models}
    for step in range(args.warmup + args.repeats):
        for name, model in models.items():
            seconds = forward_backward_seconds(model, x)
            if step >= args.warmup:
                times[name].append(seconds)
    results = {
        name: (sum(p.numel() for p in model.parameters()),
               statistics.median(times[name]))
        for name, model in models.items()
    }
    ref_params, ref_time = results['STGCN']
    print(f'B {args.batch} x T {args.frames}, base {args.base_channels}, '
          f'{args.device}, median of {args.repeats} interleaved passes')
    print(f'{"backbone":<10}{"params":>12}{"x STGCN":>9}'
          f'{"fwd+bwd s":>12}{"x STGCN":>9}')
    for name, (params, seconds) in results.items():
        print(f'{name:<10}{params:>12,}{params / ref_params:>9.2f}'
              f'{seconds:>12.3f}{seconds / ref_time:>9.2f}')
    return results


if __name__ == '__main__':
    main()

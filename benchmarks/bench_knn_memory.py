"""Peak memory of the KNN localization bank: bounded whatever the frames.

Two measurements, each in a fresh child process (peak resident set minus
the resident set before the work), printed next to the formula they check:

1. streaming: ``--frames`` synthetic frame features (default 2.4 M, the
   BABEL pretraining scale) offered batch by batch to the loop's
   :class:`RandomFrameSubset` capped at ``--capacity`` frames; the bound is
   ``2 (capacity + batch) (4 C + 16)`` bytes (features, labels, float64
   sampling keys: merging a batch concatenates, then indexes the kept rows,
   so an old and a new copy coexist briefly), against ``frames (4 C + 8)``
   for an unbounded bank (not allocated). One random batch is reused for
   every offer (the sampling keys are drawn fresh), so generating 2.4 M
   features costs no time;
2. search: :func:`knn_topk` of ``--queries`` frames against a full bank,
   for each ``--chunk-sizes`` value; on top of the bank it holds one
   ``(chunk, k + chunk)`` similarity block and its index block.

Examples::

    python benchmarks/bench_knn_memory.py                 # < 1 min on CPU
    python benchmarks/bench_knn_memory.py --frames 2400000 --capacity 200000 \\
        --chunk-sizes 1024 4096 16384
"""
import argparse
import json
import resource
import subprocess
import sys
import time

import torch

from snippet_plugin.evaluation.functional.knn import (RandomFrameSubset,
                                                      knn_topk)

MIB = 2**20


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=2_400_000)
    parser.add_argument('--capacity', type=int, default=200_000,
                        help='max_memory_frames of the loop')
    parser.add_argument('--dim', type=int, default=256)
    parser.add_argument('--batch-frames', type=int, default=256 * 300,
                        help='frames offered per merge (256 clips x 300)')
    parser.add_argument('--queries', type=int, default=512)
    parser.add_argument('--k', type=int, default=20)
    parser.add_argument('--chunk-sizes', type=int, nargs='+',
                        default=[256, 1024, 4096])
    parser.add_argument('--child', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def resident_mib() -> float:
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / MIB


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stream(args) -> dict:
    """Offer ``frames`` random unit features to a capped subset."""
    generator = torch.Generator().manual_seed(0)
    subset = RandomFrameSubset(args.capacity, seed=0)
    batch = torch.randn(args.batch_frames, args.dim, generator=generator)
    batch_labels = torch.randint(0, 5, (args.batch_frames, ),
                                 generator=generator)
    before = resident_mib()
    tic = time.perf_counter()
    for start in range(0, args.frames, args.batch_frames):
        count = min(args.batch_frames, args.frames - start)
        subset.add(batch[:count], batch_labels[:count])
    memory = subset.gather()
    return dict(peak=peak_mib() - before, kept=len(memory.features),
                seconds=time.perf_counter() - tic)


def search(args, chunk: int) -> dict:
    """``knn_topk`` of the queries against a full bank, one chunk size."""
    generator = torch.Generator().manual_seed(0)
    bank = torch.randn(args.capacity, args.dim, generator=generator)
    bank /= bank.norm(dim=1, keepdim=True)  # in place: no second copy
    query = torch.nn.functional.normalize(
        torch.randn(args.queries, args.dim, generator=generator), dim=1)
    # ru_maxrss cannot be reset: grow past the setup peak first so that the
    # search's own peak is what moves it.
    before = max(resident_mib(), peak_mib())
    tic = time.perf_counter()
    knn_topk(query, bank, args.k, chunk)
    return dict(peak=peak_mib() - before, seconds=time.perf_counter() - tic)


def in_child(args, what: str) -> dict:
    command = [sys.executable, __file__, *sys.argv[1:], '--child', what]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(1)
    if args.child:
        result = stream(args) if args.child == 'stream' else search(
            args, int(args.child))
        print(json.dumps(result))
        return
    per_frame = 4 * args.dim + 16
    bound = 2 * (args.capacity + args.batch_frames) * per_frame / MIB
    unbounded = args.frames * (4 * args.dim + 8) / MIB
    streamed = in_child(args, 'stream')
    print(f'KNN bank: {args.frames} frames x {args.dim} channels offered in '
          f'batches of {args.batch_frames}, max_memory_frames '
          f'{args.capacity}')
    print(f'  kept {streamed["kept"]} frames in {streamed["seconds"]:.1f} s;'
          f' peak +{streamed["peak"]:.0f} MiB, estimate 2 (capacity + batch) '
          f'(4C + 16) B = {bound:.0f} MiB, unbounded bank would be '
          f'{unbounded:.0f} MiB (x{unbounded / max(streamed["peak"], 1):.1f}'
          ' the measured peak)')
    bank = args.capacity * 4 * args.dim / MIB
    print(f'search: {args.queries} queries, bank {args.capacity} x '
          f'{args.dim} ({bank:.0f} MiB, allocated before the measurement), '
          f'k={args.k}')
    print(f'  {"chunk":>6} {"peak +MiB":>10} {"block est. MiB":>16} '
          f'{"seconds":>8}')
    for chunk in args.chunk_sizes:
        result = in_child(args, str(chunk))
        block = min(chunk, args.queries) * (args.k + chunk) * (4 + 8) / MIB
        print(f'  {chunk:>6} {result["peak"]:>10.1f} {block:>16.1f} '
              f'{result["seconds"]:>8.2f}')


if __name__ == '__main__':
    main()

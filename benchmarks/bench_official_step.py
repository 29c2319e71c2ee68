"""Our pretraining step against the official code's, side by side, at
equal work, with the fresh memory each step touches.

The official repositories are not part of this one and are never copied
into it: clone them anywhere and pass the folder that holds the clones::

    git clone https://github.com/Levigty/AimCLR <root>/AimCLR
    git clone https://github.com/Zhuysheng/RVTCLR <root>/RVTCLR
    OMP_NUM_THREADS=1 python benchmarks/bench_official_step.py \\
        --official-root <root>

A method whose clone is missing is skipped with a note.

Each side of a pair runs in its own worker process, as it would in its
own training; the two workers take steps in turn (one computes while the
other waits; ABBA order), so a busy machine slows both alike. Pairs:

- ``skeletonclr``: our ``SkeletonMoCo`` (``configs/skeletonclr_stgcn_babel``
  model) against ``net.skeletonclr.SkeletonCLR`` of the AimCLR repository,
  two views of ``--frames`` frames each;
- ``rvtclr``: our ``RVTCLR`` (``configs/rvtclr_stgcn_babel``) against
  ``net.skeletonclr.SkeletonCLR`` of the RVTCLR repository. Theirs takes
  ``--frames``-frame query and key clips and cuts ``--frames / 2``-frame
  tempo views from them inside the step; ours gets its four views at
  ``--frames / 2`` frames; their part (``DC``) view is given at
  ``--frames / 2`` frames too, so that every backbone pass has the same
  length on both sides;
- ``snippet``: the SkeletonCLR snippet model against our own SkeletonCLR
  baseline (the snippet branch's cost).

Equal work: our backbone is put in the official ST-GCN layout (10 blocks,
stride 2 and twice the channels at blocks 5 and 8, ``--base-channels``
wide), their ``dropout`` is ``--official-dropout`` (0: the official configs'
0.5 is work that ours does not do), same batch, queue 32768, SGD with
momentum 0.9 and weight decay 1e-4 on both sides. A step is everything
between two batches: forward, loss, backward, optimiser, key-encoder EMA,
enqueue (ours: ``model.train_step``; theirs: the loop body of their
``processor/pretrain*.py``).

Fresh memory per step: minor page faults of the step
(``resource.getrusage``) times the page size, i.e. memory the process
had to get from the kernel again; insensitive to other processes on the
machine, unlike wall time. ``--allocator`` picks how ours runs: ``tuned``
(default) applies :func:`snippet_plugin.utils.allocator.keep_freed_memory`
as ``tools/train.py`` does, ``default`` leaves glibc's defaults (the tools
before that module). ``--official-allocator`` does the same for theirs:
``default`` (as their ``main.py`` runs), ``tuned`` to compare the code
alone under the same allocator.

Runtime shims for running their CUDA-only code on CPU, applied in this
process only (their files are not edited): a ``torchlight`` module with
only ``import_class``; ``Tensor.cuda`` returns the tensor itself while
their code runs without CUDA; their enqueue, which indexes by
``keys.device.index`` (None on CPU), is replaced by the same write at GPU
index 0.
"""
import argparse
import contextlib
import importlib
import os.path as osp
import subprocess
import sys
import time
import types
from typing import Callable, Dict, Iterator, List, Tuple

import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper

from mmaction.registry import MODELS
from snippet_plugin.utils.allocator import keep_freed_memory
from synthetic import PAGE_BYTES, load_config, minor_page_faults

OFFICIAL_REPOS = {'skeletonclr': 'AimCLR', 'rvtclr': 'RVTCLR'}


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--official-root', required=True,
                        help='folder holding clones of AimCLR and RVTCLR')
    parser.add_argument('--methods', nargs='+',
                        default=['skeletonclr', 'rvtclr', 'snippet'],
                        choices=['skeletonclr', 'rvtclr', 'snippet'])
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--frames', type=int, default=150)
    parser.add_argument('--persons', type=int, default=2)
    parser.add_argument('--base-channels', type=int, default=64)
    parser.add_argument('--queue-size', type=int, default=32768)
    parser.add_argument('--official-dropout', type=float, default=0.0)
    parser.add_argument('--allocator', choices=['tuned', 'default'],
                        default='tuned', help='ours (and the snippet pair)')
    parser.add_argument('--official-allocator', choices=['tuned', 'default'],
                        default='default')
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--worker', nargs=2, metavar=('METHOD', 'SIDE'),
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def import_class(name: str):
    """``'package.module.Class'`` -> the class (torchlight's helper)."""
    module, _, attr = name.rpartition('.')
    return getattr(importlib.import_module(module), attr)


@contextlib.contextmanager
def official_code(repo: str) -> Iterator[None]:
    """``repo`` importable as the top of ``sys.path``, with a minimal
    ``torchlight``; both official repositories name their package ``net``,
    so modules of that name are forgotten on entry and exit."""
    own = ('net', 'torchlight')
    saved = {name: sys.modules.pop(name) for name in list(sys.modules)
             if name.split('.')[0] in own}
    sys.modules['torchlight'] = types.SimpleNamespace(
        import_class=import_class)
    sys.path.insert(0, repo)
    try:
        yield
    finally:
        sys.path.remove(repo)
        for name in [n for n in sys.modules if n.split('.')[0] in own]:
            del sys.modules[name]
        sys.modules.update(saved)


@contextlib.contextmanager
def cuda_calls_stay_on_cpu() -> Iterator[None]:
    """``Tensor.cuda()`` returns the tensor itself (no CUDA here)."""
    if torch.cuda.is_available():
        yield
        return
    original = torch.Tensor.cuda
    torch.Tensor.cuda = lambda self, *args, **kwargs: self
    try:
        yield
    finally:
        torch.Tensor.cuda = original


def enqueue_at_gpu_zero(model) -> None:
    """Their ``_dequeue_and_enqueue`` with ``gpu_index = 0``: ``keys``
    ``(B, C)`` written to queue columns ``[ptr, ptr + B)`` (and RVTCLR's
    age counter reset there, every other entry aged by one)."""
    @torch.no_grad()
    def enqueue(keys: torch.Tensor) -> None:
        ptr = int(model.queue_ptr)
        if hasattr(model, 'count'):
            model.count += 1
            model.count[ptr:ptr + keys.shape[0]] = 1
        model.queue[:, ptr:ptr + keys.shape[0]] = keys.T

    model._dequeue_and_enqueue = enqueue


def missing_clone(root: str, method: str):
    """Why ``method``'s official side cannot run (no clone under
    ``root``), or None."""
    if method not in OFFICIAL_REPOS:
        return None
    repo = osp.join(osp.abspath(root), OFFICIAL_REPOS[method])
    if osp.isfile(osp.join(repo, 'net', 'skeletonclr.py')):
        return None
    return f'no clone of the official code at {repo}'


def official_model(root: str, method: str, args):
    """Their MoCo wrapper with the official ST-GCN, in train mode."""
    repo = osp.join(osp.abspath(root), OFFICIAL_REPOS[method])
    with official_code(repo), cuda_calls_stay_on_cpu():
        wrapper = import_class('net.skeletonclr.SkeletonCLR')
        model = wrapper(
            base_encoder='net.st_gcn.Model', pretrain=True, feature_dim=128,
            queue_size=args.queue_size, momentum=0.999, Temperature=0.07,
            mlp=True, in_channels=3, hidden_channels=args.base_channels,
            hidden_dim=args.base_channels * 4, num_class=60,
            dropout=args.official_dropout,
            graph_args=dict(layout='ntu-rgb+d', strategy='spatial'),
            edge_importance_weighting=True)
    enqueue_at_gpu_zero(model)
    return model.train()


def sgd(model) -> torch.optim.SGD:
    """Both sides' optimiser (the official configs' SGD)."""
    return torch.optim.SGD([p for p in model.parameters() if p.requires_grad],
                           lr=0.1, momentum=0.9, weight_decay=1e-4)


def official_step(model, views: Tuple[torch.Tensor, ...], method: str
                  ) -> Callable[[], None]:
    """One iteration of their training loop on ``views`` ``(N, C, T, V, M)``
    (``processor/pretrain.py`` of AimCLR for SkeletonCLR, ``processor/
    pretrain_skeletonclr.py`` of RVTCLR before its mining epoch). Their
    ``MarginRankingLoss`` target ``(N,)`` meets ``(N, 1)`` inputs, which
    older torch broadcast to ``(N, N)`` of equal rows (all targets are 1);
    torch 2.13 refuses, so the target is shaped ``(N, 1)``: same value."""
    optimizer = sgd(model)

    def step() -> None:
        with cuda_calls_stay_on_cpu():
            if method == 'skeletonclr':
                output, target = model(*views)
                model.update_ptr(output.size(0))
                loss = F.cross_entropy(output, target)
            else:
                (logits1, logits2, labels_a, logits_m, labels_m, logits_dc,
                 labels_dc) = model(*views)
                model.update_ptr(logits1.size(0))
                loss = (F.cross_entropy(logits1, labels_a)
                        + F.cross_entropy(logits2, labels_a)
                        + F.margin_ranking_loss(
                            logits_m[0], logits_m[1],
                            labels_m.view_as(logits_m[0]), margin=1.0)
                        - torch.mean(torch.sum(torch.log(logits_dc)
                                               * labels_dc, dim=1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def our_model(name: str, args):
    """``configs/<name>.py``'s model in the official ST-GCN layout."""
    cfg = load_config(name).model.to_dict()
    backbone = cfg['backbone']['backbone']
    backbone.update(base_channels=args.base_channels, down_stages=[5, 8],
                    inflate_stages=[5, 8])
    cfg['queue_size'] = args.queue_size
    for key, head in cfg.items():
        if key.endswith('head') and isinstance(head, dict):
            for field in ('in_channels', 'hidden_channels'):
                if head.get(field):
                    head[field] = args.base_channels * 4
    return MODELS.build(cfg).train()


def our_step(model, inputs: torch.Tensor) -> Callable[[], None]:
    """``model.train_step`` on ``inputs`` ``(N, V_n, M, T, V, C)`` as the
    data loader hands them over (one tensor per sample)."""
    optim = OptimWrapper(sgd(model))
    batch = dict(inputs=list(inputs), data_samples=None)
    return lambda: model.train_step(batch, optim)


SIDES = {'skeletonclr': ('ours', 'official'), 'rvtclr': ('ours', 'official'),
         'snippet': ('snippet', 'baseline')}
"""The two sides of each pair; ratios are first / second."""

OUR_CONFIGS = {'skeletonclr': 'skeletonclr_stgcn_babel',
               'rvtclr': 'rvtclr_stgcn_babel',
               'snippet': 'snippet_skeletonclr_stgcn_babel',
               'baseline': 'skeletonclr_stgcn_babel'}


def pair_inputs(method: str, args) -> Tuple[torch.Tensor, tuple]:
    """Ours ``(N, V_n, M, T, V, C)`` and the official views
    ``(N, C, T, V, M)`` of the same random skeletons (seed 0)."""
    generator = torch.Generator().manual_seed(0)
    n, m, t = args.batch, args.persons, args.frames
    clips = torch.randn(n, 2, m, t, 25, 3, generator=generator)
    if method != 'rvtclr':
        return clips, tuple(clips[:, i].permute(0, 4, 2, 3, 1).contiguous()
                            for i in range(2))
    part = torch.randn(n, m, t // 2, 25, 3, generator=generator)
    inputs = torch.stack([clips[:, 0, :, :t // 2], clips[:, 1, :, :t // 2],
                          clips[:, 1, :, ::2][:, :, :t // 2], part], 1)
    return inputs, tuple(x.permute(0, 4, 2, 3, 1).contiguous()
                         for x in (clips[:, 0], clips[:, 1], part))


def side_step(method: str, side: str, args) -> Callable[[], None]:
    """The training step of one side of ``method``."""
    inputs, views = pair_inputs(method, args)
    if side == 'official':
        return official_step(official_model(args.official_root, method, args),
                             views, method)
    config = OUR_CONFIGS[method if side == 'ours' else side]
    return our_step(our_model(config, args), inputs)


def measured(step: Callable[[], None]) -> Tuple[float, int]:
    """``(wall seconds, minor page faults)`` of one ``step()``."""
    faults = minor_page_faults()
    tic = time.perf_counter()
    step()
    seconds = time.perf_counter() - tic
    return seconds, minor_page_faults() - faults


def serve(args) -> None:
    """Worker: build one side, then run one measured step per line read
    from stdin, answering ``seconds faults`` on stdout."""
    method, side = args.worker
    torch.set_num_threads(args.threads)
    allocator = (args.official_allocator if side == 'official'
                 else args.allocator)
    if allocator == 'tuned':
        keep_freed_memory()
    step = side_step(method, side, args)
    print('ready', flush=True)
    for _ in sys.stdin:
        seconds, faults = measured(step)
        print(f'{seconds} {faults}', flush=True)


def start_worker(method: str, side: str,
                 argv: List[str]) -> subprocess.Popen:
    """A worker process for one side, returned once it is built."""
    worker = subprocess.Popen(
        [sys.executable, __file__, *argv, '--worker', method, side],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if worker.stdout.readline().strip() != 'ready':
        raise RuntimeError(f'the {side} worker of {method} failed to start')
    return worker


def alternate(workers: Dict[str, subprocess.Popen], rounds: int,
              warmup: int) -> Dict[str, List[Tuple[float, int]]]:
    """One step of each worker per round, in turn, the order reversed
    every other round (ABBA: neither side always follows the other); the
    rounds after ``warmup`` (only one worker computes at a time)."""
    results = {name: [] for name in workers}
    for index in range(warmup + rounds):
        names = list(workers)[::1 if index % 2 == 0 else -1]
        for name in names:
            workers[name].stdin.write('step\n')
            workers[name].stdin.flush()
            seconds, faults = workers[name].stdout.readline().split()
            if index >= warmup:
                results[name].append((float(seconds), int(faults)))
    return results


def median(values: list):
    """The middle value (upper middle of an even count)."""
    return sorted(values)[len(values) // 2]


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.worker:
        serve(args)
        return
    print(f'ST-GCN base {args.base_channels} (official layout), batch '
          f'{args.batch}, {args.frames} frames, {args.persons} persons, '
          f'queue {args.queue_size}, official dropout '
          f'{args.official_dropout}; allocator ours {args.allocator}, '
          f'official {args.official_allocator}; {args.threads} thread(s); '
          f'median of {args.steps} alternating steps after {args.warmup}')
    print(f'{"pair":<12} {"side":<9} {"step s":>8} {"fresh GiB":>10} '
          f'{"ratio":>6}')
    for method in args.methods:
        reason = missing_clone(args.official_root, method)
        if reason:
            print(f'{method:<12} skipped: {reason}', flush=True)
            continue
        workers = {side: start_worker(method, side, argv)
                   for side in SIDES[method]}
        results = alternate(workers, args.steps, args.warmup)
        for worker in workers.values():
            worker.stdin.close()
            worker.wait()
        first, second = SIDES[method]
        seconds = {name: median([s for s, _ in samples])
                   for name, samples in results.items()}
        for name, samples in results.items():
            fresh = median([f for _, f in samples]) * PAGE_BYTES / 2**30
            ratio = (f'{seconds[first] / seconds[second]:6.2f}'
                     if name == first else '')
            print(f'{method:<12} {name:<9} {seconds[name]:8.3f} '
                  f'{fresh:10.2f} {ratio:>6}', flush=True)


if __name__ == '__main__':
    main()

"""Stage-2 step cost of MS-TCN refinement: refined / plain, side by side.

Builds the quick-start linear localizer
(``configs/quickstart/linear_skeletonclr_stgcn_mocapmix.py``) and its
refined twin (``linear_refine_skeletonclr_stgcn_mocapmix.py``) from the same
seed, without a pretrained checkpoint (the step time does not depend on the
weights), and times full training steps (forward, backward, the config's
optimizer) interleaved: one step of each in turn, so drift of the machine
affects both alike. The batch is random skeletons with random frame labels
at the config's batch size and window length, every frame real.

Examples::

    python benchmarks/bench_refinement.py        # CPU, the quick-start shape
    python benchmarks/bench_refinement.py --device cuda --batch 64 --frames 300
"""
import argparse

import torch
from mmengine.optim import build_optim_wrapper

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from synthetic import (interleaved_medians, load_config,
                       training_step_timer)

CONFIGS = {
    'plain': 'quickstart/linear_skeletonclr_stgcn_mocapmix',
    'refined': 'quickstart/linear_refine_skeletonclr_stgcn_mocapmix',
}


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch', type=int,
                        help="default: the config's batch size")
    parser.add_argument('--frames', type=int,
                        help="default: the config's window (clip_len)")
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def make_batch(args, num_classes: int) -> dict:
    """Random skeletons ``(N, 1, T, 25, 3)`` and samples with random frame
    labels in ``0 .. K``, every frame real."""
    samples = []
    for _ in range(args.batch):
        sample = ActionDataSample()
        sample.set_field(torch.randint(0, num_classes + 1, (args.frames, )),
                         'gt_frame_labels')
        sample.set_field(torch.ones(args.frames, dtype=torch.bool),
                         'frame_mask')
        samples.append(sample)
    inputs = torch.randn(args.batch, 1, args.frames, 25, 3)
    return dict(inputs=list(inputs), data_samples=samples)


def step_timer(args, cfg, batch):
    """The config's localizer and a function running one training step and
    returning its seconds."""
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg.model, pretrained=None)).to(args.device)
    model.train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    return model, training_step_timer(model, batch, optim, args.device)


def main(argv=None) -> None:
    """Time both localizers interleaved and print the ratio."""
    args = parse_args(argv)
    configs = {name: load_config(path) for name, path in CONFIGS.items()}
    plain = configs['plain']
    args.batch = args.batch or plain.train_dataloader.batch_size
    args.frames = args.frames or plain.clip_len
    batch = make_batch(args, plain.model.head.num_classes)
    steps, parameters = {}, {}
    for name, cfg in configs.items():
        model, steps[name] = step_timer(args, cfg, batch)
        parameters[name] = sum(p.numel() for p in model.parameters()
                               if p.requires_grad)
    median = interleaved_medians(steps, args.steps, args.warmup)
    refinement = configs['refined'].model.refinement
    print(f'configs/{CONFIGS["plain"]}.py without and with refinement '
          f'({refinement.num_stages} stages x {refinement.num_layers} layers '
          f'x {refinement.channels} channels), batch {args.batch} x '
          f'{args.frames} frames, {args.device}, {args.steps} interleaved '
          'steps')
    print(f'{"variant":<8} {"step (s)":>9} {"trained params":>15}')
    for name in steps:
        print(f'{name:<8} {median[name]:9.4f} {parameters[name]:15d}')
    print(f'step time refined / plain: '
          f'{median["refined"] / median["plain"]:.3f}')


if __name__ == '__main__':
    main()

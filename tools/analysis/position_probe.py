"""Print the position probes of a pretraining checkpoint (issue 21).

Probe A: one pose held still for a view (the config's view length, from its
training pipeline) through the frozen query encoder, pooled into the
model's snippets (``view / 16`` snippets of the paper's 16 frames for a
model without a snippet head); the cosines from snippet 0 to snippets
1..N-1; the pose is the middle frame of the first sequence of probe B.
Probe B: two windows of a view's length, half a view apart (rounded down to
the last level's stride), of the first 16 training sequences long enough for
both (the config's training split, or the same split of ``--ann-file``);
the mean cosine of their last-level features on the frames they share. A
feature that says what moves, not where it sits, gives 1.0 in both
(``snippet_plugin.apis.position_probes``). So does a collapsed one: probe
B's control is the mean cosine of different frames as far apart in one
window, and its margin ``(B - control) / (1 - control)`` says how much
closer shared frames are than different ones (1: identical; 0: no closer).

Example::

    python tools/analysis/position_probe.py \\
        configs/quickstart/snippet_skeletonclr_stgcn_mocapmix.py \\
        work_dirs/snippet_skeletonclr_stgcn_mocapmix/epoch_40.pth
    python tools/analysis/position_probe.py \\
        configs/quickstart/skeletonclr_stgcn_mocapmix.py --random-init
"""
import argparse
import logging
from typing import Dict, List

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from torch import nn

from mmaction.registry import MODELS, TRANSFORMS
from snippet_plugin.apis.inference import load_weights
from snippet_plugin.apis.position_probes import (
    different_frame_similarities, shifted_window_similarities,
    still_pose_similarities, window_shift)
from snippet_plugin.datasets import UntrimmedPoseDataset

#: Training-pipeline transforms that prepare a whole sequence without
#: randomness; the probes apply these and cut their own windows.
SEQUENCE_TRANSFORMS = ('NormalizeSkeleton3D', 'FixPersonCount')
#: Frames per snippet for a model without a snippet head (Tab. 8's best).
SNIPPET_FRAMES = 16


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='pretraining config')
    parser.add_argument('checkpoint', nargs='?',
                        help='its checkpoint (not with --random-init)')
    parser.add_argument('--random-init', action='store_true',
                        help='probe the randomly initialised encoder')
    parser.add_argument('--ann-file',
                        help="sequences for probe B (default: the config's "
                        'training set)')
    parser.add_argument('--num-sequences', type=int, default=16,
                        help='sequences for probe B (default: 16)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the random initialisation')
    args = parser.parse_args(argv)
    if args.random_init == (args.checkpoint is not None):
        parser.error('give a CHECKPOINT or --random-init, not both')
    return args


def training_dataset_cfg(cfg: Config) -> Dict:
    """The config's training dataset, inside any dataset wrappers."""
    dataset = cfg.train_dataloader.dataset
    while 'dataset' in dataset:
        dataset = dataset.dataset
    return dataset


def view_length(cfg: Config) -> int:
    """Frames per view that the training pipeline gives the encoder, from
    running it (without packing) on a random 1000-frame sequence."""
    rng = np.random.default_rng(0)
    results = dict(frame_dir='probe', total_frames=1000,
                   keypoint=rng.random((1, 1000, 25, 3), dtype=np.float32))
    for transform in training_dataset_cfg(cfg).pipeline:
        if transform['type'] != 'PackUntrimmedPoseInputs':
            results = TRANSFORMS.build(transform)(results)
    return results['keypoint'].shape[-3]


def probe_sequences(cfg: Config, ann_file: str, limit: int,
                    min_frames: int) -> List[torch.Tensor]:
    """The first ``limit`` training sequences of at least ``min_frames``
    frames, whole, ``(M, T, V, C)``, prepared by the config's
    :data:`SEQUENCE_TRANSFORMS`."""
    dataset_cfg = training_dataset_cfg(cfg)
    dataset = UntrimmedPoseDataset(
        ann_file=ann_file or dataset_cfg.ann_file,
        split=dataset_cfg.get('split'),
        label_mode='none',
        pipeline=[t for t in dataset_cfg.pipeline
                  if t['type'] in SEQUENCE_TRANSFORMS],
        serialize_data=False)
    chosen = [i for i in range(len(dataset))
              if dataset.get_data_info(i)['total_frames'] >= min_frames]
    if not chosen:
        raise SystemExit(f'{dataset.ann_file}: no sequence of the split '
                         f'holds {min_frames} frames (two shifted windows)')
    return [torch.from_numpy(dataset[i]['keypoint'])
            for i in chosen[:limit]]


def init_quietly(model: nn.Module) -> None:
    """``model.init_weights()`` without mmengine's report of every
    parameter on the console."""
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)


def main(argv=None) -> Dict:
    """Print the probes; return them as a dict."""
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    torch.manual_seed(args.seed)
    model = MODELS.build(cfg.model)
    if args.random_init:
        init_quietly(model)
    else:
        load_weights(model, args.checkpoint)
    model.eval()
    backbone = model.encoder_q['backbone']
    window = view_length(cfg)
    stride = backbone.temporal_strides[-1]
    num_snippets = (model.encoder_q['dense_head'].num_snippets
                    if getattr(model, 'with_dense', False) else
                    max(2, window // SNIPPET_FRAMES))
    shift = window_shift(window, stride)
    sequences = probe_sequences(cfg, args.ann_file, args.num_sequences,
                                window + shift)
    pose = sequences[0][:, sequences[0].shape[1] // 2]
    still = still_pose_similarities(model.extract_feat, pose, window,
                                    num_snippets)
    shifted = shifted_window_similarities(model.extract_feat, sequences,
                                          window, stride)
    shifted_mean = float(np.mean(shifted))
    control = float(np.mean(different_frame_similarities(
        model.extract_feat, sequences, window, stride)))
    margin = (shifted_mean - control) / (1 - control) if control < 1 else 0.0
    source = 'random init' if args.random_init else args.checkpoint
    print(f'{args.config} ({source}): views of {window} frames, last level '
          f'stride {stride}, {num_snippets} snippets, temporal padding '
          f"{getattr(backbone, 'temporal_padding', 'zeros')}")
    print('probe A (still pose), cosine of snippet 0 to snippets 1..'
          f"{num_snippets - 1}: {' '.join(f'{c:.3f}' for c in still)} "
          f'(min {min(still):.3f})')
    print(f'probe B (windows {shift} frames apart, {len(shifted)} '
          f'sequences): mean cosine on the shared frames {shifted_mean:.3f}; '
          f'control, different frames {shift} apart: {control:.3f}; margin '
          f'{margin:.3f}')
    return dict(still_pose=still, shifted_windows=shifted_mean,
                different_frames=control, margin=margin,
                num_sequences=len(shifted))


if __name__ == '__main__':
    main()

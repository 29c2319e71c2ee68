"""Import the encoder of an official AimCLR / HiCLR / RVTCLR / SnipCLR /
SkeletonCLR checkpoint as a ``SkeletonMoCo``-style backbone checkpoint.

The source is read with ``torch.load(weights_only=True)`` (no arbitrary
unpickling); the output ``{'state_dict': {'encoder_q.backbone.*': ...},
'meta': {...}}`` loads into ``SkeletonLocalizer(pretrained=DST)`` or with
``load_from``. Every converted tensor is checked against the backbone that
``--config`` builds (key and shape); target weights the source does not
fill, and source weights left out (projection heads, extra modules), are
listed. Key mapping and transforms: ``docs/checkpoints.md``.

Examples::

    python tools/convert_checkpoint.py snipclr_agcn.pt \\
        work_dirs/snipclr_2sagcn.pth --backbone 2sagcn

    python tools/convert_checkpoint.py skeletonclr_stgcn.pt out.pth \\
        --backbone stgcn --config configs/_base_/models/skeletonclr_stgcn.py
"""
import argparse
import sys

import torch
from mmengine.config import Config

import snippet_plugin  # noqa: F401  (registers modules, safe checkpoints)
from mmaction.registry import MODELS
from snippet_plugin.models import backbone_state_from_checkpoint
from snippet_plugin.utils.checkpoint import load_checkpoint_file
from snippet_plugin.ingest.checkpoint_conversion import (BACKBONES,
                                                        ConversionError,
                                                        convert_encoder,
                                                        converted_checkpoint,
                                                        summarize)
from snippet_plugin.utils.output_paths import exit_on_unwritable_output

DEFAULT_CONFIGS = {
    'stgcn': 'configs/_base_/models/skeletonclr_stgcn.py',
    '2sagcn': 'configs/_base_/models/skeletonclr_2sagcn.py',
    'unik': 'configs/_base_/models/skeletonclr_unik.py',
}
"""Model config whose ``model.backbone`` is the target, per backbone."""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='official checkpoint (.pt/.pth)')
    parser.add_argument('dst', help='converted checkpoint to write')
    parser.add_argument('--backbone', required=True, choices=BACKBONES,
                        help='encoder layout of SRC')
    parser.add_argument('--config',
                        help='model config whose model.backbone is the '
                        'target (default: configs/_base_/models/'
                        'skeletonclr_<backbone>.py)')
    return parser.parse_args(argv)


def build_target_backbone(config: str):
    """The ``MultiScaleGCN`` of ``config``'s ``model.backbone``."""
    cfg = Config.fromfile(config)
    return MODELS.build(cfg.model.backbone)


def main(argv=None) -> None:
    args = parse_args(argv)
    config = args.config or DEFAULT_CONFIGS[args.backbone]
    target = build_target_backbone(config).state_dict()
    checkpoint = load_checkpoint_file(args.src, map_location='cpu')
    try:
        conversion = convert_encoder(checkpoint, args.backbone, target)
    except ConversionError as err:
        sys.exit(f'error: {args.src}: {err}')
    output = converted_checkpoint(conversion, args.src, args.backbone)
    torch.save(output, args.dst)
    reloaded = load_checkpoint_file(args.dst, map_location='cpu')
    found = backbone_state_from_checkpoint(reloaded, list(target))
    assert len(found) == len(conversion.state_dict), 'round trip lost keys'
    print(f'wrote {args.dst} (target: {config})')
    print('\n'.join(summarize(conversion)))


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

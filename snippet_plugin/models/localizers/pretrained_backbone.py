"""The backbone weights of a pretraining (or any) checkpoint, found by key
prefix and loaded into a :class:`MultiScaleGCN`.

Stage 2 starts from the query encoder of a Stage-1 run; the same loader
takes a localizer's checkpoint or a plain backbone state dict, and
``tools/convert_checkpoint.py`` checks its conversions with the same key
mapping (:func:`backbone_state_from_checkpoint`).
"""
from typing import Dict, Sequence

from mmengine.logging import print_log
from torch import nn

from ...utils.checkpoint import load_checkpoint_file

#: Key prefixes under which a checkpoint may hold the backbone, tried in
#: order: a :class:`SkeletonMoCo` query encoder, a localizer (or any model
#: with a ``backbone`` attribute), then a plain :class:`MultiScaleGCN` state
#: dict (no prefix; its own keys start with ``backbone.`` too, for the
#: wrapped GCN).
BACKBONE_PREFIXES = ('encoder_q.backbone.', 'backbone.', '')


def backbone_state_from_checkpoint(
        checkpoint: dict, backbone_keys: Sequence[str]) -> Dict[str, object]:
    """The backbone entries of a checkpoint, renamed to backbone keys.

    For each prefix of :data:`BACKBONE_PREFIXES` in turn, the entries whose
    key carries it are taken with the prefix stripped; the first prefix for
    which some stripped key is in ``backbone_keys`` wins. Other entries (the
    MoCo key encoder ``encoder_k.module.backbone.*``, heads, queues) are
    ignored.

    Args:
        checkpoint: A loaded checkpoint: a state dict, or a dict with
            ``'state_dict'`` (mmengine's format).
        backbone_keys: The state-dict keys of the backbone to fill.

    Returns:
        dict: Renamed entries of the winning prefix, possibly with keys
        outside ``backbone_keys`` (unexpected for the loader); empty if no
        prefix matches any backbone key.
    """
    state = checkpoint.get('state_dict', checkpoint)
    wanted = set(backbone_keys)
    for prefix in BACKBONE_PREFIXES:
        selected = {key[len(prefix):]: value for key, value in state.items()
                    if key.startswith(prefix)}
        if wanted & set(selected):
            return selected
    return {}


def load_pretrained_backbone(backbone: nn.Module, path: str) -> None:
    """Load the backbone weights of the checkpoint at ``path`` into
    ``backbone``, in place.

    The file goes through
    :func:`~snippet_plugin.utils.checkpoint.load_checkpoint_file` (no
    arbitrary unpickling); keys are mapped by
    :func:`backbone_state_from_checkpoint` and loaded with ``strict=False``;
    missing and unexpected keys are logged.

    Raises:
        ValueError: if no entry of the checkpoint is a backbone weight, or a
            matched weight has the wrong shape (then nothing is loaded).
        UnsafeCheckpointError: if the file needs unsafe unpickling.
    """
    checkpoint = load_checkpoint_file(path, map_location='cpu')
    if not isinstance(checkpoint, dict):
        raise ValueError(f'{path}: expected a state dict, got '
                         f'{type(checkpoint).__name__}')
    own_state = backbone.state_dict()
    state = backbone_state_from_checkpoint(checkpoint, list(own_state))
    if not state:
        raise ValueError(
            f'{path}: no backbone weight found (looked for MultiScaleGCN '
            f'keys such as {next(iter(own_state))!r} under the prefixes '
            f'{BACKBONE_PREFIXES})')
    misfits = [
        f'{key}: checkpoint {tuple(value.shape)}, model '
        f'{tuple(own_state[key].shape)}' for key, value in state.items()
        if key in own_state and value.shape != own_state[key].shape
    ]
    if misfits:  # checked first: nothing is loaded from a misfit file
        raise ValueError(f'{path}: backbone weights do not fit (was the '
                         'checkpoint made with another backbone or '
                         f'width?): {"; ".join(misfits)}')
    result = backbone.load_state_dict(state, strict=False)
    print_log(f'Loaded {len(state) - len(result.unexpected_keys)} '
              f'backbone entries from {path}', logger='current')
    if result.missing_keys:
        print_log(f'{path}: missing backbone keys {result.missing_keys}',
                  logger='current', level=30)
    if result.unexpected_keys:
        print_log(f'{path}: unexpected backbone keys '
                  f'{result.unexpected_keys}', logger='current', level=30)

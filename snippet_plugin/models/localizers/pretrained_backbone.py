"""The backbone weights of a pretraining (or any) checkpoint, found by key
prefix and loaded into a :class:`MultiScaleGCN`.

Stage 2 starts from the query encoder of a Stage-1 run; the same loader
takes a localizer's checkpoint or a plain backbone state dict, and
``tools/convert_checkpoint.py`` checks its conversions with the same key
mapping (:func:`backbone_state_from_checkpoint`).
"""
import ast
from typing import Dict, Optional, Sequence

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


def checkpoint_temporal_padding(checkpoint: dict) -> Optional[str]:
    """The ``model.backbone.temporal_padding`` of the config a checkpoint
    was trained with (``'zeros'`` where the config leaves the default).

    mmengine stores the run's config as Python text in
    ``checkpoint['meta']['cfg']``. It is parsed with :mod:`ast`, never
    executed: a checkpoint's text is data.

    Returns:
        str or None: the padding, or None if the checkpoint carries no
        config text, or its ``model.backbone`` is not a literal ``dict``.
    """
    text = (checkpoint.get('meta') or {}).get('cfg')
    if not isinstance(text, str):
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    model = next((node.value for node in tree.body
                  if isinstance(node, ast.Assign) and any(
                      isinstance(target, ast.Name) and target.id == 'model'
                      for target in node.targets)), None)
    backbone = _dict_call_keyword(model, 'backbone')
    if backbone is None:
        return None
    padding = _dict_call_keyword(backbone, 'temporal_padding')
    if padding is None:
        return 'zeros'
    return padding.value if isinstance(padding, ast.Constant) else None


def _dict_call_keyword(node, name: str):
    """The value node of keyword ``name`` in a ``dict(...)`` call node."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == 'dict'):
        return None
    return next((keyword.value for keyword in node.keywords
                 if keyword.arg == name), None)


def load_pretrained_backbone(backbone: nn.Module, path: str) -> None:
    """Load the backbone weights of the checkpoint at ``path`` into
    ``backbone``, in place.

    The file goes through
    :func:`~snippet_plugin.utils.checkpoint.load_checkpoint_file` (no
    arbitrary unpickling); keys are mapped by
    :func:`backbone_state_from_checkpoint` and loaded with ``strict=False``;
    missing and unexpected keys are logged.

    The padding of the temporal convolutions is not a weight, so a
    checkpoint pretrained with ``temporal_padding='replicate'`` would load
    into a zero-padded backbone without complaint and give other features
    than the ones it learned. The padding the checkpoint's config names
    (:func:`checkpoint_temporal_padding`) must therefore equal
    ``backbone.temporal_padding``.

    Raises:
        ValueError: if no entry of the checkpoint is a backbone weight, a
            matched weight has the wrong shape, or the checkpoint was
            trained with another temporal padding (then nothing is
            loaded).
        UnsafeCheckpointError: if the file needs unsafe unpickling.
    """
    checkpoint = load_checkpoint_file(path, map_location='cpu')
    if not isinstance(checkpoint, dict):
        raise ValueError(f'{path}: expected a state dict, got '
                         f'{type(checkpoint).__name__}')
    trained_padding = checkpoint_temporal_padding(checkpoint)
    own_padding = getattr(backbone, 'temporal_padding', None)
    if None not in (trained_padding, own_padding) and \
            trained_padding != own_padding:
        raise ValueError(
            f'{path}: the encoder was trained with temporal_padding='
            f'{trained_padding!r}, this backbone pads with {own_padding!r}; '
            f'set model.backbone.temporal_padding={trained_padding!r}')
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

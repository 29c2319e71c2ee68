"""Import encoders of torchlight-style checkpoints (AimCLR, HiCLR, RVTCLR,
SnipCLR, SkeletonCLR) into this plug-in's ``MultiScaleGCN`` backbones.

The public self-supervised skeleton repositories save a MoCo model whose
query encoder sits under ``encoder_q.`` (possibly under ``'state_dict'``,
``'model'`` or a DataParallel ``module.``). Two encoder layouts exist:

* ST-GCN (``net/st_gcn.py``): ``data_bn``, ``A`` (graph buffer ``(K, V,
  V)``), ``st_gcn_networks.{i}.gcn.conv`` (``(K*C_out, C_in, 1, 1)``),
  ``.tcn.{0: BN, 2: conv (9, 1), 3: BN}``, ``.residual.{0: conv, 1: BN}``,
  ``edge_importance.{i}`` (``(K, V, V)``), ``fc``.
* 2s-AGCN (``net/agcn.py``, SnipCLR nests it as ``agcn.``): ``data_bn``,
  ``l{1..10}.gcn1.{PA, conv_a.j, conv_b.j, conv_d.j, bn, down.{0,1}}``,
  ``.tcn1.{conv, bn}``, ``.residual.{conv, bn}``.

They become the keys of MMAction2's ``STGCN`` / ``AAGCN`` wrapped by
``MultiScaleGCN`` (``backbone.gcn.{i}...``), saved under
``encoder_q.backbone.`` so that ``SkeletonLocalizer(pretrained=...)`` and
``SkeletonMoCo`` load them. The mapping table, with the transforms, is in
``docs/checkpoints.md``:

* ST-GCN's ``A * edge_importance[i]`` becomes MMAction2's ``A * PA``
  (``adaptive='importance'``): ``gcn.A <- A`` (the source's graph, which
  differs from MMAction2's NTU hand edges) and ``gcn.PA <- edge_importance``,
  so the product, hence the layer, is unchanged. The torchlight ``tcn.0``
  BatchNorm (applied right after the graph aggregation) is MMAction2's
  ``gcn.bn``; the rest of the block is the same computation.
* 2s-AGCN's graph ``A`` is a plain attribute, absent from the checkpoint;
  its forward uses ``A + PA``. We rebuild the 2s-AGCN NTU graph
  (:func:`agcn_ntu_graph`) and store ``gcn.A <- A + PA`` (MMAction2's
  ``unit_aagcn`` learns ``A`` directly). The data-dependent term differs:
  2s-AGCN adds ``softmax(theta^T phi)``, MMAction2 adds
  ``alpha * tanh(theta^T phi)`` (``alpha`` starts at 0) and has an
  attention module the source lacks: the converted encoder is an
  initialisation, not a numerical replica.
* A ``data_bn`` over persons (``M*V*C``) going into a per-joint ``V*C`` one
  keeps the first person's statistics (the real one in one-person data).
"""
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np
import torch

BACKBONES = ('stgcn', '2sagcn', 'unik')
"""Values of ``--backbone``."""

TARGET_PREFIX = 'encoder_q.backbone.'
"""Prefix of the converted keys (a ``SkeletonMoCo`` query backbone)."""

BN_ENTRIES = ('weight', 'bias', 'running_mean', 'running_var',
              'num_batches_tracked')
CONV_ENTRIES = ('weight', 'bias')

AGCN_NTU_INWARD = ((1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6),
                   (8, 7), (9, 21), (10, 9), (11, 10), (12, 11), (13, 1),
                   (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18),
                   (20, 19), (22, 23), (23, 8), (24, 25), (25, 12))
"""1-based ``(child, parent)`` edges of 2s-AGCN's NTU graph (hand tips hang
off the thumbs, unlike MMAction2's ``nturgb+d`` layout)."""


class ConversionError(ValueError):
    """A checkpoint cannot be converted; the message says why."""


@dataclass
class Conversion:
    """Result of :func:`convert_encoder`.

    Attributes:
        state_dict: Target key (without :data:`TARGET_PREFIX`) -> tensor.
        sources: Target key -> the source key(s) and transform it came from.
        dropped: Source encoder keys not converted (heads, extra modules).
        missing: Target keys no source entry fills (keep their init).
        notes: Human-readable remarks (approximations made).
    """
    state_dict: Dict[str, torch.Tensor] = field(default_factory=dict)
    sources: Dict[str, str] = field(default_factory=dict)
    dropped: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)


def source_state(checkpoint: Mapping) -> Dict[str, torch.Tensor]:
    """The flat tensor state dict of a checkpoint.

    Unwraps ``'state_dict'`` / ``'model'`` / ``'net'`` and strips a
    DataParallel ``module.`` prefix.
    """
    state = checkpoint
    for key in ('state_dict', 'model', 'net'):
        if isinstance(state, Mapping) and isinstance(state.get(key), Mapping):
            state = state[key]
            break
    if not isinstance(state, Mapping):
        raise ConversionError(f'expected a state dict, got '
                              f'{type(state).__name__}')
    return {(k[len('module.'):] if k.startswith('module.') else k): v
            for k, v in state.items() if isinstance(v, torch.Tensor)}


def find_encoder_prefix(state: Mapping, marker: str) -> str:
    """The prefix ``P`` with ``P + marker`` in ``state``, query encoder first.

    Raises:
        ConversionError: if no key ends with ``marker``.
    """
    prefixes = sorted({key[:-len(marker)] for key in state
                       if key.endswith(marker)},
                      key=lambda p: (not p.startswith('encoder_q'), len(p)))
    if not prefixes:
        raise ConversionError(f'no key ends with {marker!r}')
    return prefixes[0]


def agcn_ntu_graph() -> torch.Tensor:
    """2s-AGCN's NTU adjacency ``(3, 25, 25)``: identity, inward, outward.

    Each directed part is column-normalised (``A @ D^-1``, ``D`` the column
    sums), as 2s-AGCN's ``graph/tools.py``.
    """
    num_node = 25
    inward = np.zeros((num_node, num_node))
    for child, parent in AGCN_NTU_INWARD:
        inward[parent - 1, child - 1] = 1
    outward = inward.T.copy()

    def normalise(adjacency):
        degree = adjacency.sum(0)
        scale = np.where(degree > 0, 1.0 / np.maximum(degree, 1e-12), 0.0)
        return adjacency * scale[None, :]

    graph = np.stack([np.eye(num_node), normalise(inward), normalise(outward)])
    return torch.from_numpy(graph).float()


class _Mapper:
    """Collects target entries from source entries, remembering provenance."""

    def __init__(self, state: Mapping, prefix: str):
        self.state = state
        self.prefix = prefix
        self.result = Conversion()
        self.used = set()

    def has(self, key: str) -> bool:
        return self.prefix + key in self.state

    def get(self, key: str) -> torch.Tensor:
        self.used.add(self.prefix + key)
        return self.state[self.prefix + key]

    def put(self, target: str, value: torch.Tensor, origin: str) -> None:
        self.result.state_dict[target] = value.detach().clone()
        self.result.sources[target] = origin

    def copy(self, source: str, target: str, entries) -> None:
        """Copy ``source.<e>`` to ``target.<e>`` for each present entry."""
        for entry in entries:
            if self.has(f'{source}.{entry}'):
                self.put(f'{target}.{entry}', self.get(f'{source}.{entry}'),
                         f'{self.prefix}{source}.{entry}')

    def copy_data_bn(self, target_size: Optional[int]) -> None:
        """``data_bn``; an ``M*V*C`` one into ``V*C`` keeps person 0."""
        if not self.has('data_bn.weight'):
            return
        size = self.get('data_bn.weight').numel()
        if target_size is None or size == target_size:
            self.copy('data_bn', 'backbone.data_bn', BN_ENTRIES)
            return
        if size % target_size:
            raise ConversionError(
                f'{self.prefix}data_bn has {size} channels, the target '
                f'data_bn {target_size}: neither equal nor persons x joints '
                'x coordinates')
        for entry in BN_ENTRIES:
            if not self.has(f'data_bn.{entry}'):
                continue
            value = self.get(f'data_bn.{entry}')
            if value.dim():
                value = value[:target_size]
            self.put(f'backbone.data_bn.{entry}', value,
                     f'{self.prefix}data_bn.{entry}[:{target_size}] '
                     '(person 0)')
        self.result.notes.append(
            f'data_bn: source normalises {size // target_size} persons '
            f'separately ({size} channels); kept person 0 for the per-joint '
            f'target ({target_size})')

    def finish(self) -> Conversion:
        encoder = [k for k in self.state if k.startswith(self.prefix)]
        self.result.dropped = sorted(k for k in encoder if k not in self.used)
        return self.result


def _stage_indices(state: Mapping, pattern: str) -> List[int]:
    found = {int(m.group(1)) for m in map(re.compile(pattern).match, state)
             if m}
    return sorted(found)


def convert_stgcn(state: Mapping, target_data_bn: Optional[int] = None
                  ) -> Conversion:
    """Map a torchlight ST-GCN encoder to MMAction2 ``STGCN`` keys.

    Args:
        state: Flat source state dict (see :func:`source_state`).
        target_data_bn: Channels of the target ``data_bn`` (``V*C``), or
            None to copy whatever the source has.

    Returns:
        Conversion with keys ``backbone.*`` of a ``MultiScaleGCN``.
    """
    prefix = find_encoder_prefix(state, 'st_gcn_networks.0.gcn.conv.weight')
    mapper = _Mapper(state, prefix)
    mapper.copy_data_bn(target_data_bn)
    layers = _stage_indices(
        state, re.escape(prefix) + r'st_gcn_networks\.(\d+)\.gcn\.conv\.')
    graph = mapper.get('A') if mapper.has('A') else None
    if graph is None:
        mapper.result.notes.append(
            f'no {prefix}A graph buffer: gcn.A keeps the target graph, which '
            'differs from torchlight NTU at the hand joints')
    for i in layers:
        src, dst = f'st_gcn_networks.{i}', f'backbone.gcn.{i}'
        mapper.copy(f'{src}.gcn.conv', f'{dst}.gcn.conv', CONV_ENTRIES)
        mapper.copy(f'{src}.tcn.0', f'{dst}.gcn.bn', BN_ENTRIES)
        mapper.copy(f'{src}.tcn.2', f'{dst}.tcn.conv', CONV_ENTRIES)
        mapper.copy(f'{src}.tcn.3', f'{dst}.tcn.bn', BN_ENTRIES)
        mapper.copy(f'{src}.residual.0', f'{dst}.residual.conv', CONV_ENTRIES)
        mapper.copy(f'{src}.residual.1', f'{dst}.residual.bn', BN_ENTRIES)
        if graph is not None:
            mapper.put(f'{dst}.gcn.A', graph, f'{prefix}A')
        if mapper.has(f'edge_importance.{i}'):
            mapper.put(f'{dst}.gcn.PA', mapper.get(f'edge_importance.{i}'),
                       f'{prefix}edge_importance.{i}')
        elif graph is not None:
            mapper.put(f'{dst}.gcn.PA', torch.ones_like(graph),
                       'ones (no edge importance weighting)')
    return mapper.finish()


def convert_2sagcn(state: Mapping, target_data_bn: Optional[int] = None
                   ) -> Conversion:
    """Map a 2s-AGCN encoder (``l1..l10``) to MMAction2 ``AAGCN`` keys.

    ``gcn.A`` becomes :func:`agcn_ntu_graph` ``+ PA`` (see the module
    docstring for what does not carry over).
    """
    prefix = find_encoder_prefix(state, 'l1.gcn1.conv_d.0.weight')
    mapper = _Mapper(state, prefix)
    mapper.copy_data_bn(target_data_bn)
    layers = _stage_indices(state,
                            re.escape(prefix) + r'l(\d+)\.gcn1\.conv_d\.0\.')
    graph = agcn_ntu_graph()
    for number in layers:
        src, dst = f'l{number}', f'backbone.gcn.{number - 1}'
        for branch in ('conv_a', 'conv_b', 'conv_d'):
            for j in _stage_indices(state, re.escape(
                    f'{prefix}{src}.gcn1.{branch}.') + r'(\d+)\.weight'):
                mapper.copy(f'{src}.gcn1.{branch}.{j}',
                            f'{dst}.gcn.{branch}.{j}', CONV_ENTRIES)
        mapper.copy(f'{src}.gcn1.bn', f'{dst}.gcn.bn', BN_ENTRIES)
        mapper.copy(f'{src}.gcn1.down.0', f'{dst}.gcn.down.0', CONV_ENTRIES)
        mapper.copy(f'{src}.gcn1.down.1', f'{dst}.gcn.down.1', BN_ENTRIES)
        mapper.copy(f'{src}.tcn1.conv', f'{dst}.tcn.conv', CONV_ENTRIES)
        mapper.copy(f'{src}.tcn1.bn', f'{dst}.tcn.bn', BN_ENTRIES)
        mapper.copy(f'{src}.residual.conv', f'{dst}.residual.conv',
                    CONV_ENTRIES)
        mapper.copy(f'{src}.residual.bn', f'{dst}.residual.bn', BN_ENTRIES)
        if mapper.has(f'{src}.gcn1.PA'):
            mapper.put(f'{dst}.gcn.A', graph + mapper.get(f'{src}.gcn1.PA'),
                       f'agcn_ntu_graph() + {prefix}{src}.gcn1.PA')
    mapper.result.notes.append(
        '2s-AGCN adds softmax(theta^T phi) to the graph, MMAction2 AAGCN '
        'alpha * tanh(theta^T phi) and channel/joint/frame attention: conv_a/'
        'conv_b carry over, alpha and the attention layers keep their init')
    return mapper.finish()


def convert_unik(state: Mapping, target_data_bn: Optional[int] = None
                 ) -> Conversion:
    """Not available: the UNIK backbone of this plug-in is not merged yet."""
    raise NotImplementedError(
        'UNIK conversion needs the plug-in\'s UNIK backbone '
        '(snippet_plugin/models/backbones/unik.py), which is not part of '
        'this branch yet; its key names decide the mapping. Convert with '
        '--backbone stgcn or 2sagcn, or add the UNIK table to '
        'docs/checkpoints.md once the backbone lands.')


CONVERTERS: Dict[str, Callable[..., Conversion]] = {
    'stgcn': convert_stgcn,
    '2sagcn': convert_2sagcn,
    'unik': convert_unik,
}


def check_against_target(conversion: Conversion,
                         target: Mapping[str, torch.Tensor]) -> None:
    """Fill ``conversion.missing``; refuse unknown keys and wrong shapes.

    Args:
        conversion: Result of a converter.
        target: State dict of the target ``MultiScaleGCN``.

    Raises:
        ConversionError: naming each converted key the target lacks or
            whose shape differs, with the source it came from.
    """
    problems = []
    for key, value in conversion.state_dict.items():
        origin = conversion.sources[key]
        if key not in target:
            problems.append(f'{key} (from {origin}): not in the target '
                            'backbone')
        elif tuple(target[key].shape) != tuple(value.shape):
            problems.append(f'{key} (from {origin}): shape '
                            f'{tuple(value.shape)}, the target has '
                            f'{tuple(target[key].shape)}')
    if problems:
        raise ConversionError(
            f'{len(problems)} converted weight(s) do not fit the target '
            'backbone (check --config: channels, stages, graph):\n  ' +
            '\n  '.join(problems))
    conversion.missing = sorted(k for k in target
                                if k not in conversion.state_dict)


def convert_encoder(checkpoint: Mapping, backbone: str,
                    target: Optional[Mapping[str, torch.Tensor]] = None
                    ) -> Conversion:
    """Convert the query encoder of a checkpoint.

    Args:
        checkpoint: The loaded source checkpoint.
        backbone: One of :data:`BACKBONES`.
        target: State dict of the target ``MultiScaleGCN`` to check
            against; None skips the check.

    Raises:
        ConversionError: if no encoder of that layout is found, or a
            weight does not fit ``target``.
        NotImplementedError: for ``'unik'`` (see :func:`convert_unik`).
    """
    if backbone not in CONVERTERS:
        raise ConversionError(f'backbone must be one of {BACKBONES}, got '
                              f'{backbone!r}')
    state = source_state(checkpoint)
    data_bn = target.get('backbone.data_bn.weight') if target else None
    try:
        conversion = CONVERTERS[backbone](
            state, None if data_bn is None else data_bn.numel())
    except ConversionError as err:
        sample = sorted(state)[:5]
        raise ConversionError(
            f'no {backbone} encoder found ({err}); the checkpoint\'s keys '
            f'start {sample}') from err
    if target is not None:
        check_against_target(conversion, target)
    return conversion


def converted_checkpoint(conversion: Conversion, source: str,
                         backbone: str) -> Dict:
    """An mmengine-style checkpoint ``{'state_dict', 'meta'}``.

    Keys carry :data:`TARGET_PREFIX`; ``meta`` holds only strings and lists,
    so the file loads with ``torch.load(weights_only=True)``.
    """
    return {
        'state_dict': {TARGET_PREFIX + k: v
                       for k, v in conversion.state_dict.items()},
        'meta': {
            'converted_from': source,
            'source_backbone': backbone,
            'sources': dict(conversion.sources),
            'dropped_source_keys': list(conversion.dropped),
            'missing_target_keys': list(conversion.missing),
            'notes': list(conversion.notes),
        },
    }


def summarize(conversion: Conversion) -> Tuple[str, ...]:
    """Report lines: counts, missing and dropped keys, notes."""
    lines = [f'converted {len(conversion.state_dict)} tensors']
    if conversion.missing:
        lines.append(f'{len(conversion.missing)} target key(s) keep their '
                     f'initialisation: {conversion.missing}')
    if conversion.dropped:
        lines.append(f'{len(conversion.dropped)} source key(s) not '
                     f'converted: {conversion.dropped}')
    lines += [f'note: {n}' for n in conversion.notes]
    return tuple(lines)

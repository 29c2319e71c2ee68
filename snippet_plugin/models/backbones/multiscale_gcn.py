"""Features of a skeleton GCN at every temporal resolution.

MMAction2's GCN backbones (``STGCN``, ``AAGCN``, ...) return only their last
stage. Localization (paper Sec. 3.2) and KNN evaluation need the intermediate
stages too; :class:`MultiScaleGCN` collects them without touching the wrapped
backbone's code.
"""
import difflib
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import nn

from mmaction.registry import MODELS
from .skeleton_streams import check_stream_names, skeleton_stream

GCN_BACKBONES = ('STGCN', 'AGCN', 'AAGCN', 'UNIK', 'HyperGCN')
"""Registered backbones known to meet the contract of :class:`MultiScaleGCN`."""

TEMPORAL_PADDINGS = ('zeros', 'replicate', 'reflect')
"""Values of ``MultiScaleGCN(temporal_padding=...)``: ``nn.Conv2d``'s
``padding_mode`` names."""


def _known_backbone(backbone: Dict) -> Dict:
    """Return ``backbone`` if its ``type`` is registered, else raise a
    ``KeyError`` that names the config key, the type and the candidates."""
    name = backbone.get('type')
    if isinstance(name, str) and MODELS.get(name) is None:
        close = difflib.get_close_matches(name, GCN_BACKBONES, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ''
        raise KeyError(
            f"model.backbone.backbone.type='{name}' is not a registered "
            f'backbone{hint}. GCN backbones that MultiScaleGCN wraps: '
            f"{', '.join(GCN_BACKBONES)}; a backbone of your own must be "
            'registered in mmaction.registry.MODELS by a module listed in '
            "the config's custom_imports.")
    return backbone

#: Length of the zero sequence fed through the stages at init to measure
#: their temporal strides. A power of two keeps stride-2 stages exact and the
#: deepest level of mmaction's GCNs (stride 8) long enough to round safely.
PROBE_FRAMES = 256

BACKBONE_CONTRACT = (
    'MultiScaleGCN wraps a backbone that keeps its stages in an '
    '`nn.ModuleList` at `backbone.<stages_attr>`, each stage mapping '
    '(N*M, C, T, V) to (N*M, C_l, T_l, V), and that exposes `in_channels` '
    'and `graph.num_node` (the joint count V) like MMAction2\'s STGCN and '
    'AAGCN')


@MODELS.register_module()
class MultiScaleGCN(BaseModule):
    """Wrap a registered GCN backbone; return its chosen stages' features,
    each averaged over joints and persons.

    The wrapped backbone runs its own ``forward`` unchanged (data BN, person
    folding, ...); forward hooks, attached for the duration of one call only
    (so deep copies such as the momentum encoder stay hook-free), record the
    outputs of the chosen stages.

    Stage indices are 0-based positions in the stage list. For MMAction2's
    STGCN/AAGCN with ``in_channels != base_channels`` the list holds all
    ``num_stages`` blocks, so MMAction2's 1-based stage ``k`` (as in
    ``down_stages``) is index ``k - 1``.

    Default ``out_indices``: the last stage of every temporal resolution,
    found by a dry run at init: a zero tensor ``(1, in_channels, 256, V)``
    goes through the stages in eval mode under ``no_grad`` (no BN statistic
    or RNG is touched; train/eval flags are restored). Each stage's stride is
    the rounded ratio of its input and output lengths. For
    ``down_stages=[2, 5, 8]`` of 10 stages this gives indices ``(0, 3, 6, 9)``
    (T, T/2, T/4, T/8); for MMAction2's default ``[5, 8]`` ``(3, 6, 9)``.

    Args:
        backbone (dict): Config of the wrapped backbone (built from
            ``mmaction.registry.MODELS``). It must meet the contract: an
            ``nn.ModuleList`` of stages at ``stages_attr`` whose outputs are
            ``(N*M, C, T, V)``, plus ``in_channels`` and ``graph.num_node``.
        out_indices (Sequence[int], optional): Stage indices to return,
            strictly increasing (negative values count from the end).
            Defaults to the last stage of every temporal resolution.
        stages_attr (str): Name of the stage list on the backbone.
            Defaults to ``'gcn'``.
        input_streams (Sequence[str]): Streams of the input skeletons
            ``(N, M, T, V, C)`` concatenated per joint into the backbone's
            input ``(N, M, T, V, S C)``: ``'joint'``, ``'velocity'``
            (differences between present frames only, so padding never
            leaks in), ``'bone'`` (over ``backbone.graph.inward``); see
            :mod:`.skeleton_streams`. The backbone's ``in_channels`` must be
            ``S C``. Defaults to ``('joint',)``: the skeletons unchanged.
        temporal_padding (str): How the stages' temporal convolutions
            (:meth:`temporal_convolutions`) pad time: ``'zeros'`` (default:
            the backbones as published, untouched), ``'replicate'`` (the
            edge frame repeated) or ``'reflect'`` (mirrored without the edge;
            needs inputs longer than each padding). Set as the modules'
            ``padding_mode``, so weights, state dicts and checkpoints are
            the same for every mode. Why: with zeros, a level whose temporal
            receptive field exceeds the window sees where the window ends,
            so a still pose gives different features at every position; the
            snippet loss can feed on that (issue 21, ``docs/methods.md``,
            Stage 1). With ``'replicate'`` a still pose gives the same
            feature at every step (tested for every GCN in
            :data:`GCN_BACKBONES`).
        init_cfg (dict or list[dict], optional): Initialisation config.

    Attributes:
        out_indices (tuple[int]): The returned stages (non-negative).
        out_channels (list[int]): Channels ``C_l`` of each returned level.
        temporal_strides (list[int]): Cumulative temporal stride of each
            returned level (input ``T`` -> ``ceil(T / stride)`` for
            MMAction2's GCNs).
    """

    def __init__(self,
                 backbone: Dict,
                 out_indices: Optional[Sequence[int]] = None,
                 stages_attr: str = 'gcn',
                 input_streams: Sequence[str] = ('joint', ),
                 temporal_padding: str = 'zeros',
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if temporal_padding not in TEMPORAL_PADDINGS:
            raise ValueError(f'temporal_padding must be one of '
                             f'{TEMPORAL_PADDINGS}, got {temporal_padding!r}')
        self.backbone = MODELS.build(_known_backbone(backbone))
        self.stages_attr = stages_attr
        self.input_streams = check_stream_names(input_streams)
        stages = getattr(self.backbone, stages_attr, None)
        if not isinstance(stages, nn.ModuleList):
            raise TypeError(
                f'{type(self.backbone).__name__} has no nn.ModuleList at '
                f'`{stages_attr}` (found {type(stages).__name__}). '
                f'{BACKBONE_CONTRACT}.')
        channels, strides = self._probe_stages()
        self.out_indices = self._resolve_out_indices(out_indices, strides)
        self.out_channels = [channels[i] for i in self.out_indices]
        self.temporal_strides = [strides[i] for i in self.out_indices]
        self.temporal_padding = temporal_padding
        if temporal_padding != 'zeros':
            for conv in self.temporal_convolutions():
                conv.padding_mode = temporal_padding

    @property
    def stages(self) -> nn.ModuleList:
        """The wrapped backbone's stage list."""
        return getattr(self.backbone, self.stages_attr)

    @property
    def strides(self) -> List[int]:
        """Alias of :attr:`temporal_strides` (the Issue 3 contract's name)."""
        return self.temporal_strides

    def _probe_input(self, num_frames: int = PROBE_FRAMES) -> torch.Tensor:
        """Zero stage input ``(1, in_channels, num_frames, V)``."""
        in_channels = getattr(self.backbone, 'in_channels', None)
        num_joints = getattr(getattr(self.backbone, 'graph', None),
                             'num_node', None)
        if in_channels is None or num_joints is None:
            raise TypeError(
                f'{type(self.backbone).__name__} lacks `in_channels` or '
                f'`graph.num_node`, needed to measure its stage strides. '
                f'{BACKBONE_CONTRACT}.')
        return torch.zeros(1, in_channels, num_frames, num_joints)

    @contextmanager
    def _dry_run(self) -> Iterator[None]:
        """The stages in eval mode under ``no_grad`` (no BN statistic or
        RNG is touched); their train/eval flags restored on exit."""
        modes = {module: module.training for module in self.stages.modules()}
        self.stages.eval()
        try:
            with torch.no_grad():
                yield
        finally:
            for module, mode in modes.items():
                module.training = mode

    def _probe_stages(self) -> Tuple[List[int], List[int]]:
        """Dry run of the stages in eval mode.

        Returns:
            tuple[list[int], list[int]]: Output channels and cumulative
            temporal stride of every stage.
        """
        x = self._probe_input()
        channels, strides, stride = [], [], 1
        with self._dry_run():
            for index, stage in enumerate(self.stages):
                y = stage(x)
                self._check_stage_output(y, index, x.shape[0])
                stride *= max(1, round(x.shape[2] / y.shape[2]))
                channels.append(y.shape[1])
                strides.append(stride)
                x = y
        return channels, strides

    def temporal_convolutions(self) -> List[nn.Module]:
        """The stages' convolutions that slide along time with a kernel of
        more than one frame, whose padding ``temporal_padding`` sets.

        A ``nn.Conv1d`` or ``nn.Conv2d`` with ``kernel_size[0] > 1`` is
        temporal when the first spatial axis of its input (``T`` of the
        ``(N, C, T, V)`` stage tensors, ``L`` of ``(N, C, L)``) follows the
        input's length: two dry runs (:data:`PROBE_FRAMES` frames and half
        as many) tell, e.g., AAGCN's temporal attention ``conv_ta`` (over
        ``T``) from its spatial ``conv_sa`` (over the joints). A
        convolution's ``padding_mode`` acts on every axis it pads; those of
        the wrapped GCNs pad time only.

        Returns:
            list[nn.Module]: In ``self.stages.modules()`` order.
        """
        candidates = [
            module for module in self.stages.modules()
            if isinstance(module, (nn.Conv1d, nn.Conv2d))
            and module.kernel_size[0] > 1
        ]
        long_run = self._input_lengths(candidates, PROBE_FRAMES)
        short_run = self._input_lengths(candidates, PROBE_FRAMES // 2)
        return [module for module in candidates
                if long_run[module] != short_run[module]]

    def _input_lengths(self, modules: List[nn.Module],
                       num_frames: int) -> Dict[nn.Module, List[int]]:
        """Size of axis 2 of every input each of ``modules`` gets in a dry
        run of the stages on ``num_frames`` zero frames."""
        lengths = {module: [] for module in modules}
        handles = [
            module.register_forward_pre_hook(
                lambda module, args: lengths[module].append(args[0].shape[2]))
            for module in modules
        ]
        try:
            with self._dry_run():
                x = self._probe_input(num_frames)
                for stage in self.stages:
                    x = stage(x)
        finally:
            for handle in handles:
                handle.remove()
        return lengths

    def _check_stage_output(self, output, index: int, batch: int) -> None:
        """Refuse a stage output that is not ``(batch, C, T, V)``."""
        if not (isinstance(output, torch.Tensor) and output.dim() == 4
                and output.shape[0] == batch):
            shape = getattr(output, 'shape', type(output).__name__)
            raise TypeError(
                f'{type(self.backbone).__name__}.{self.stages_attr}[{index}] '
                f'returned {shape}, expected a ({batch}, C, T, V) tensor. '
                f'{BACKBONE_CONTRACT}.')

    def _resolve_out_indices(self, out_indices: Optional[Sequence[int]],
                             strides: List[int]) -> Tuple[int, ...]:
        """Validate ``out_indices`` or derive the default from ``strides``."""
        num_stages = len(strides)
        if out_indices is None:
            last = num_stages - 1
            return tuple(i for i in range(num_stages)
                         if i == last or strides[i + 1] != strides[i])
        if not all(-num_stages <= i < num_stages for i in out_indices):
            raise ValueError(f'out_indices {list(out_indices)} out of range '
                             f'for {num_stages} stages')
        resolved = tuple(i % num_stages for i in out_indices)
        if not resolved or any(a >= b
                               for a, b in zip(resolved, resolved[1:])):
            raise ValueError(f'out_indices {list(out_indices)} must be a '
                             'non-empty, strictly increasing stage list')
        return resolved

    def stack_streams(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, M, T, V, C) -> (N, M, T, V, S C)``: :attr:`input_streams`
        concatenated per joint; the input itself for ``('joint',)``."""
        if self.input_streams == ('joint', ):
            return x
        expected = len(self.input_streams) * x.shape[-1]
        if expected != self.backbone.in_channels:
            raise ValueError(
                f'input_streams {list(self.input_streams)} of {x.shape[-1]}-'
                f'channel joints make {expected} input channels, but the '
                f'backbone has in_channels={self.backbone.in_channels}')
        bone_pairs = (self.backbone.graph.inward
                      if 'bone' in self.input_streams else ())
        return torch.cat([
            skeleton_stream(name, x, bone_pairs)
            for name in self.input_streams
        ], dim=-1)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Run the backbone and pool the chosen stages.

        Args:
            x (Tensor): Skeletons ``(N, M, T, V, C)``.

        Returns:
            tuple[Tensor]: One ``(N, C_l, T_l)`` tensor per
            :attr:`out_indices`, averaged over joints, then over persons.
        """
        if x.dim() != 5:
            raise ValueError('MultiScaleGCN expects (N, M, T, V, C) inputs, '
                             f'got shape {tuple(x.shape)}')
        x = self.stack_streams(x)
        num_samples, num_persons = x.shape[:2]
        captured = {}

        def record(index):
            return lambda module, args, output: captured.__setitem__(
                index, output)

        handles = [
            self.stages[i].register_forward_hook(record(i))
            for i in self.out_indices
        ]
        try:
            self.backbone(x)
        finally:
            for handle in handles:
                handle.remove()
        levels = []
        for index in self.out_indices:
            output = captured[index]
            self._check_stage_output(output, index, num_samples * num_persons)
            levels.append(
                output.reshape(num_samples, num_persons,
                               *output.shape[1:]).mean(-1).mean(1))
        return tuple(levels)


"""The no-learning floor: the input skeleton itself as the frame features.

An encoder worth pretraining must localize better than its own input does.
:class:`RawPoseEncoder` gives that floor the same interface as a learned
encoder, so the KNN loop, the linear protocol and ``tools/test.py`` evaluate
it like any other (``docs/protocols.md``, "Floors").
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from mmaction.models.utils import Graph
from mmaction.registry import MODELS
from .skeleton_streams import check_stream_names, skeleton_stream


@MODELS.register_module()
class RawPoseEncoder(BaseModel):
    """Per-frame joint coordinates (and velocities, bones) as features.

    Nothing to train: no parameter, no buffer. Given skeletons
    ``(N, M, T, V, C)`` as the test pipeline leaves them (normalised by
    ``NormalizeSkeleton3D``), each person-frame becomes the concatenation of
    the chosen ``streams``, each flattened joint-major (``v * C + c``):

    * ``'joint'``: the coordinates ``x_t``;
    * ``'velocity'``: ``velocity_weight * (x_t - x_{t-1})`` between present
      frames only (:func:`frame_velocities`: padding never leaks in);
    * ``'bone'``: ``x_v - x_parent(v)`` over the ``layout``'s inward edges
      (MMAction2's ``Graph``); the centre joint's bone is 0.

    Persons are averaged, as :class:`MultiScaleGCN` does, so an absent
    (all-zero) person of a two-person layout halves the features of the
    present one. The result ``(N, S V C, T)`` is level 0; each further
    entry of ``temporal_strides`` adds an average-pooled level
    ``(N, S V C, ceil(T / s))`` (windows cut short at the end are averaged
    over the frames they hold), so a U-neck sees the same pyramid as from a
    GCN. The KNN loop L2-normalises each frame's features; the raw
    features are not normalised here.

    Used alone (``model=dict(type='RawPoseEncoder')``) it is a model whose
    ``extract_feat`` feeds :class:`KNNLocalizationLoop`; as
    ``SkeletonLocalizer``'s backbone its ``forward`` returns the levels.

    Args:
        streams (Sequence[str]): Subset of :data:`~.skeleton_streams.SKELETON_STREAMS`, in
            concatenation order. Defaults to ``('joint', 'velocity')``.
        velocity_weight (float): Factor of the velocity stream. Defaults
            to 3.0 (the floor of issue 11).
        layout (str): Skeleton layout of MMAction2's ``Graph`` (joint count
            and bones). Defaults to ``'nturgb+d'``.
        in_channels (int): Coordinates per joint ``C``. Defaults to 3.
        temporal_strides (Sequence[int]): Stride of each returned level,
            strictly increasing from 1. Defaults to ``(1,)``.
        data_preprocessor (dict or nn.Module): Defaults to
            ``dict(type='ActionDataPreprocessor')``.

    Attributes:
        out_channels (list[int]): ``S * V * C`` per level.
    """

    def __init__(self,
                 streams: Sequence[str] = ('joint', 'velocity'),
                 velocity_weight: float = 3.0,
                 layout: str = 'nturgb+d',
                 in_channels: int = 3,
                 temporal_strides: Sequence[int] = (1, ),
                 data_preprocessor: Union[Dict, nn.Module] = dict(
                     type='ActionDataPreprocessor'),
                 init_cfg=None) -> None:
        streams = check_stream_names(streams)
        strides = tuple(int(s) for s in temporal_strides)
        if (not strides or strides[0] != 1
                or any(a >= b for a, b in zip(strides, strides[1:]))):
            raise ValueError(f'temporal_strides must increase strictly from '
                             f'1, got {list(temporal_strides)}')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.streams = streams
        self.velocity_weight = float(velocity_weight)
        graph = Graph(layout)
        self.num_joints = graph.num_node
        self.bone_pairs = tuple(graph.inward)
        self.in_channels = in_channels
        self.temporal_strides = list(strides)
        self.out_channels = [len(streams) * self.num_joints * in_channels
                             ] * len(strides)

    def _check_inputs(self, inputs: torch.Tensor) -> None:
        """Refuse inputs that are not ``(N, M, T, V, C)`` of this layout."""
        if inputs.dim() != 5 or tuple(inputs.shape[3:]) != (
                self.num_joints, self.in_channels):
            raise ValueError(
                f'RawPoseEncoder expects (N, M, T, {self.num_joints}, '
                f'{self.in_channels}) skeletons, got {tuple(inputs.shape)}')

    def stream(self, name: str, skeletons: torch.Tensor) -> torch.Tensor:
        """One stream ``(N, M, T, V, C)`` of skeletons ``(N, M, T, V, C)``
        (:func:`~.skeleton_streams.skeleton_stream`)."""
        return skeleton_stream(name, skeletons, self.bone_pairs,
                               self.velocity_weight)

    def frame_features(self, inputs: torch.Tensor) -> torch.Tensor:
        """Level 0: skeletons ``(N, M, T, V, C)`` -> ``(N, S V C, T)``."""
        self._check_inputs(inputs)
        skeletons = inputs.float()
        features = torch.cat(
            [self.stream(name, skeletons).flatten(-2) for name in
             self.streams], dim=-1)
        return features.mean(1).transpose(1, 2)

    def extract_feat(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Levels ``(N, S V C, ceil(T / s))``, one per temporal stride."""
        features = self.frame_features(inputs)
        return tuple(
            features if stride == 1 else F.avg_pool1d(
                features, stride, stride, ceil_mode=True)
            for stride in self.temporal_strides)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """``'tensor'``: :meth:`extract_feat`. Nothing here trains or
        predicts: ``'loss'`` and ``'predict'`` raise ``RuntimeError``."""
        if mode == 'tensor':
            return self.extract_feat(inputs)
        raise RuntimeError(
            f'RawPoseEncoder has no {mode!r} mode: it has nothing to train '
            'and no classifier. Evaluate it with KNNLocalizationLoop '
            '(tools/test.py configs/knn/rawpose_<data>.py) or make it the '
            'backbone of a SkeletonLocalizer.')

"""Relative visual tempo views (RVTCLR, Zhu et al., ICCV 2023).

From one window of ``T`` frames, two playback speeds of ``T // 2`` frames
each: normal speed, the first ``T // 2`` consecutive frames, and 2x, every
2nd frame of the whole window. Frames move through
:func:`~.windows.take_frames`, so every frame-aligned array (labels, mask,
``frame_inds``) follows the frames a view shows.
"""
import copy
from typing import Callable, Dict, List, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .windows import FRAME_ALIGNED_KEYS, current_num_frames, take_frames

Pipeline = Sequence[Union[dict, Callable]]


def tempo_indices(num_frames: int, speed: int) -> np.ndarray:
    """Frames of one tempo view of a ``num_frames`` window.

    Args:
        num_frames: Window length ``T >= 2``.
        speed: 1 (normal speed: frames ``0 .. T//2 - 1``) or 2 (2x: frames
            ``0, 2, 4, .., 2 (T//2 - 1)``).

    Returns:
        int64 ``(T // 2,)`` indices into the window.
    """
    if speed not in (1, 2):
        raise ValueError(f'speed must be 1 or 2, got {speed}')
    return speed * np.arange(num_frames // 2, dtype=np.int64)


@TRANSFORMS.register_module()
class RelativeTempoViews(BaseTransform):
    """Four augmented tempo views of one window, stacked on a new axis 0.

    Each sample draws its tempo ``s`` (normal or 2x, probability 1/2 each,
    NumPy's global generator), so half of a batch is at each speed in
    expectation; ``s'`` is the other tempo. Each pipeline runs on a deep
    copy of the whole ``T``-frame window (as the public code augments
    before it samples a tempo), then the tempo's frames are taken
    (:func:`tempo_indices`). Output views, in this order:

    0. query: ``query_pipeline``, tempo ``s``;
    1. same-tempo key: ``key_pipeline``, tempo ``s``;
    2. other-tempo key: the SAME augmented key copy as view 1, tempo ``s'``;
    3. part view: ``part_pipeline``, tempo ``s``. The public code feeds
       this branch the whole window at normal speed; views must share a
       length to be stacked, so it gets the query's tempo, and its target
       (the same-tempo key's distribution) then covers the same frames.

    Stacked keys: ``keypoint`` ``(M, T, V, C) -> (4, M, T // 2, V, C)``,
    ``keypoint_score`` likewise, ``frame_labels``, ``frame_mask`` and
    ``frame_inds`` ``(T,) -> (4, T // 2)``: row ``i`` holds the labels,
    mask and original frame indices of the frames view ``i`` shows.
    Other keys come from view 0; ``total_frames`` is ``T // 2``.
    :class:`PackUntrimmedPoseInputs` packs inputs ``(4, M, T // 2, V, C)``
    (batch ``(N, 4, M, T // 2, V, C)``, the input of :class:`RVTCLR`).

    Required keys: ``keypoint`` ``(M, T, V, C)`` with ``T >= 2``.
    Modified keys: every frame-aligned key, ``total_frames``.
    Added keys: ``frame_inds``, ``frame_mask`` (if absent), ``num_views``
    (4), ``tempo_speed`` (1 or 2, the speed ``s`` of views 0, 1 and 3).

    Args:
        query_pipeline: Transforms (configs or callables) of the query.
        key_pipeline: Transforms of the key (views 1 and 2).
        part_pipeline: Transforms of the part view.
    """

    num_views = 4

    def __init__(self, query_pipeline: Pipeline, key_pipeline: Pipeline,
                 part_pipeline: Pipeline) -> None:
        self.query_transforms = _build(query_pipeline)
        self.key_transforms = _build(key_pipeline)
        self.part_transforms = _build(part_pipeline)

    def transform(self, results: Dict) -> Dict:
        num_frames = current_num_frames(results)
        if num_frames < 2:
            raise ValueError(f'RelativeTempoViews needs a window of at least '
                             f'2 frames, got {num_frames}')
        results.setdefault('frame_inds', np.arange(num_frames,
                                                   dtype=np.int64))
        results.setdefault('frame_mask', np.ones(num_frames, dtype=bool))
        speed = 2 if np.random.rand() < 0.5 else 1
        same = tempo_indices(num_frames, speed)
        other = tempo_indices(num_frames, 3 - speed)
        key = _augment(results, self.key_transforms)
        views = [
            take_frames(_augment(results, self.query_transforms), same),
            take_frames(copy.deepcopy(key), same),
            take_frames(key, other),
            take_frames(_augment(results, self.part_transforms), same),
        ]
        stacked = dict(views[0], num_views=self.num_views, tempo_speed=speed)
        for name in FRAME_ALIGNED_KEYS:
            if name in results:
                stacked[name] = np.stack([view[name] for view in views])
        return stacked

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'query_pipeline={self.query_transforms}, '
                f'key_pipeline={self.key_transforms}, '
                f'part_pipeline={self.part_transforms})')


def _build(pipeline: Pipeline) -> List[Callable]:
    """Transforms from configs (built from ``TRANSFORMS``) or callables."""
    return [
        TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
    ]


def _augment(results: Dict, transforms: List[Callable]) -> Dict:
    """``transforms`` applied in order to a deep copy of ``results``."""
    view = copy.deepcopy(results)
    for transform in transforms:
        view = transform(view)
    return view

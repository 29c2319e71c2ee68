"""Multi-view skeleton augmentations for contrastive pretraining.

:class:`ContrastiveViews` runs a sub-pipeline (or one per view)
independently on copies of one sample and stacks the results into views
``(V_n, M, T, V, C)``;
:class:`TemporalPadCrop` and :class:`RandomShear` are AimCLR's "normal"
augmentations (PAPER_NOTES "Stage 1", baselines). A pretraining pipeline::

    train_pipeline = [
        dict(type='NormalizeSkeleton3D'),
        dict(type='RandomWindowCrop', clip_len=300),
        dict(type='FixPersonCount', num_person=2),
        dict(type='ContrastiveViews', num_views=2, pipeline=[
            dict(type='TemporalPadCrop', padding_ratio=6),
            dict(type='RandomShear', amplitude=0.5)]),
        dict(type='PackUntrimmedPoseInputs'),
    ]

Every frame-changing transform here follows the frame-aligned rule of
:mod:`.windows` (frames move through :func:`~.windows.take_frames`).
"""
import copy
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .windows import FRAME_ALIGNED_KEYS, current_num_frames, take_frames


def symmetric_pad_indices(num_frames: int, padding: int) -> np.ndarray:
    """Frame indices of a sequence mirror-padded by ``padding`` frames.

    The mirror includes the edge frame (NumPy's ``'symmetric'`` mode, as in
    AimCLR): for ``T = 5, padding = 2`` the result is
    ``[1, 0, 0, 1, 2, 3, 4, 4, 3]``.

    Args:
        num_frames: Sequence length ``T >= 1``.
        padding: Frames added at each end, ``0 <= padding <= T``.

    Returns:
        int64 ``(T + 2 * padding,)`` indices into the sequence.
    """
    frames = np.arange(num_frames, dtype=np.int64)
    return np.pad(frames, padding, mode='symmetric')


@TRANSFORMS.register_module()
class TemporalPadCrop(BaseTransform):
    """AimCLR's temporal crop: mirror-pad both ends, crop the original length.

    With ``p = T // padding_ratio``, the sequence is padded by ``p`` mirrored
    frames at each end (:func:`symmetric_pad_indices`) and the ``T`` frames
    starting at an offset drawn uniformly from ``[0, 2p]`` are kept, so the
    content shifts by up to ``p`` frames either way and ``T`` never changes.
    A mirrored frame is a copy of its source frame: it carries the source's
    label, mask and ``frame_inds``. Offsets come from NumPy's global
    generator (seeded by MMEngine's ``randomness`` config).

    AimCLR pads ``T // 6`` frames (its ``temperal_padding_ratio=6``), i.e.
    50 frames of a 300-frame clip, hence a ratio rather than a frame count.

    Zero padding of the window (``frame_mask`` False, e.g. a short sequence
    after ``RandomWindowCrop``) takes no part: the crop runs on the ``R``
    real frames alone (``p = R // padding_ratio``), their cropped content
    fills the positions of the real frames, and padding stays padding. So
    every view keeps ``R`` real frames; cropping the padded window instead
    would shift padding into the view, or leave a short sequence's view
    without a single real frame. Without padding ``R = T``.

    Required keys: ``keypoint`` ``(M, T, V, C)``; optional frame-aligned keys.
    Modified keys: every frame-aligned key.
    Added keys: ``frame_inds``, ``frame_mask`` (if absent).

    Args:
        padding_ratio: Pad ``T // padding_ratio`` frames at each end;
            ``>= 1``.
    """

    def __init__(self, padding_ratio: int = 6) -> None:
        if padding_ratio < 1:
            raise ValueError(f'padding_ratio must be >= 1, got '
                             f'{padding_ratio}')
        self.padding_ratio = padding_ratio

    def transform(self, results: Dict) -> Dict:
        num_frames = current_num_frames(results)
        real = np.flatnonzero(
            results.get('frame_mask', np.ones(num_frames, dtype=bool)))
        padding = len(real) // self.padding_ratio
        offset = np.random.randint(2 * padding + 1)
        padded = symmetric_pad_indices(len(real), padding)
        indices = np.full(num_frames, -1, dtype=np.int64)
        indices[real] = real[padded[offset:offset + len(real)]]
        return take_frames(results, indices)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(padding_ratio={self.padding_ratio})'


@TRANSFORMS.register_module()
class RandomShear(BaseTransform):
    """Random shear of the coordinates (AimCLR's ``shear``).

    Draws ``S = np.random.uniform(-a, a, size=(C, C))`` from NumPy's global
    generator, sets its diagonal to 1, and maps every joint's coordinates
    ``p (C,)`` to ``S @ p`` (the same matrix for all persons and frames).
    Being linear, it keeps missing (all-zero) joints at zero.

    Required keys: ``keypoint`` ``(M, T, V, C)``.
    Modified keys: ``keypoint`` (float32, same shape).

    Args:
        amplitude: ``a >= 0``, the bound of the off-diagonal entries.
    """

    def __init__(self, amplitude: float = 0.5) -> None:
        if amplitude < 0:
            raise ValueError(f'amplitude must be >= 0, got {amplitude}')
        self.amplitude = amplitude

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        channels = keypoint.shape[-1]
        shear = np.random.uniform(-self.amplitude, self.amplitude,
                                  size=(channels, channels))
        np.fill_diagonal(shear, 1.0)
        results['keypoint'] = (keypoint @ shear.T).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(amplitude={self.amplitude})'


@TRANSFORMS.register_module()
class ContrastiveViews(BaseTransform):
    """Independently augmented views of one sample, stacked on a new axis 0.

    Either one sub-pipeline run ``num_views`` times (``pipeline``), or one
    sub-pipeline per view (``pipelines``; view ``i`` runs ``pipelines[i]``).
    Each view starts from a deep copy of the input results; then each view's
    frame-aligned arrays are stacked:

    * ``keypoint`` ``(M, T, V, C)`` -> ``(V_n, M, T, V, C)``;
    * ``keypoint_score`` ``(M, T, V)`` -> ``(V_n, M, T, V)``;
    * ``frame_labels``, ``frame_mask``, ``frame_inds`` ``(T,)`` ->
      ``(V_n, T)``: row ``i`` describes the frames of view ``i``.

    ``frame_inds`` and ``frame_mask`` are filled with the identity / all True
    before the views are made (if absent), so every view has them. All other
    keys come from view 0. :class:`PackUntrimmedPoseInputs` packs the result
    into inputs ``(V_n, M, T, V, C)``, batched ``(N, V_n, M, T, V, C)``.

    Per-view pipelines give HiCLR's gradually growing augmentations, where
    each view's pipeline is the previous one's plus stronger transforms::

        normal = [dict(type='TemporalPadCrop'), dict(type='RandomShear')]
        strong = normal + [dict(type='SkeletonFlip', prob=0.5), ...]
        dict(type='ContrastiveViews',
             pipelines=[normal, normal, strong, strong])

    Views are made in order ``0, 1, ...``, all drawing from the same global
    random generators.

    Required keys: ``keypoint`` ``(M, T, V, C)``.
    Modified keys: every frame-aligned key (one more leading axis).
    Added keys: ``frame_inds``, ``frame_mask`` (if absent), ``num_views``.

    Args:
        pipeline: Transforms (configs or callables) applied to every view;
            give either this or ``pipelines``.
        num_views: ``V_n >= 1`` views of ``pipeline``; defaults to 2. With
            ``pipelines`` it may be left out or must equal their number.
        pipelines: One transform list per view (``V_n = len(pipelines)``).

    The transforms must give every view the same shape (e.g. ``T``).
    """

    def __init__(self,
                 pipeline: Optional[Sequence[Union[dict, Callable]]] = None,
                 num_views: Optional[int] = None,
                 pipelines: Optional[Sequence[Sequence[Union[
                     dict, Callable]]]] = None) -> None:
        if (pipeline is None) == (pipelines is None):
            raise ValueError('ContrastiveViews needs exactly one of '
                             '`pipeline` (with `num_views`) and `pipelines` '
                             '(one list of transforms per view)')
        if pipelines is not None:
            if num_views is not None and num_views != len(pipelines):
                raise ValueError(f'num_views={num_views} but {len(pipelines)} '
                                 'pipelines were given; leave num_views out')
            self.view_pipelines = [_build(p) for p in pipelines]
        else:
            num_views = 2 if num_views is None else num_views
            self.view_pipelines = [_build(pipeline)] * num_views
        if not self.view_pipelines:
            raise ValueError('ContrastiveViews needs at least one view')
        self.num_views = len(self.view_pipelines)

    def make_view(self, results: Dict, view: int = 0) -> Dict:
        """View ``view``: its pipeline applied to a deep copy of ``results``."""
        view_results = copy.deepcopy(results)
        for transform in self.view_pipelines[view]:
            view_results = transform(view_results)
        return view_results

    def transform(self, results: Dict) -> Dict:
        num_frames = current_num_frames(results)
        results.setdefault('frame_inds', np.arange(num_frames,
                                                   dtype=np.int64))
        results.setdefault('frame_mask', np.ones(num_frames, dtype=bool))
        views = [self.make_view(results, view)
                 for view in range(self.num_views)]
        stacked = dict(views[0], num_views=self.num_views)
        for key in FRAME_ALIGNED_KEYS:
            if key in results:
                stacked[key] = np.stack(_same_shape(views, key))
        return stacked

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_views={self.num_views}, '
                f'pipelines={self.view_pipelines})')


def _build(pipeline: Sequence[Union[dict, Callable]]) -> List[Callable]:
    """Transforms of one view's pipeline, built from configs if needed."""
    if isinstance(pipeline, dict):
        raise TypeError('a view pipeline is a list of transforms, got one '
                        f'dict: {pipeline}')
    return [
        TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
    ]


def _same_shape(views: List[Dict], key: str) -> List[np.ndarray]:
    """``views[i][key]`` for every view; raise if their shapes differ."""
    arrays = [view[key] for view in views]
    shapes = [array.shape for array in arrays]
    if len(set(shapes)) > 1:
        raise ValueError(f'ContrastiveViews: the views\' {key!r} shapes '
                         f'differ ({shapes}); the view pipeline must give '
                         'every view the same number of frames and persons')
    return arrays

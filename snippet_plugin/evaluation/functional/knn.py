"""k-nearest-neighbour frame classification: the maths of KNN localization.

Frame features of a frozen encoder, of one level or of several fused
(:func:`frame_level_features`), a bounded uniform random memory of labelled
frames (:class:`RandomFrameSubset`), the blocked similarity search
(:func:`knn_topk`) and the weighted vote (:func:`knn_class_probabilities`).
The runner loop that drives them is
:class:`~snippet_plugin.engine.loops.KNNLocalizationLoop`.
"""
import math
from typing import List, NamedTuple, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.dist import all_gather, get_rank, get_world_size
from mmengine.runner.amp import autocast

KNN_PROPOSAL_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
"""Default proposal thresholds of the KNN loop's ``frames_to_segments``.

kNN probabilities are vote fractions: one of ``k = 20`` equally weighted
neighbours is worth 0.05, so the paper's softmax thresholds 0.03-0.05 would
open a segment wherever a single stray neighbour votes. The grid spans the
vote fractions evenly, from a minority vote to near-unanimity, and leaves
the choice among candidates to the outer-inner score and NMS. It was not
tuned on any data."""


class FrameMemory(NamedTuple):
    """Labelled frame features of the memory bank.

    Attributes:
        features: ``(P, C)`` L2-normalised frame features.
        labels: ``(P,)`` long, class id in ``[0, K)`` or background ``K``.
    """
    features: torch.Tensor
    labels: torch.Tensor


class RandomFrameSubset:
    """A seeded uniform random subset of a stream of frames, bounded in size.

    Every incoming frame gets an i.i.d. ``U(0, 1)`` key from a generator
    seeded with ``seed + rank``; the subset is the ``capacity`` frames with
    the smallest keys (bottom-k sampling). That is a uniform sample without
    replacement of all frames seen so far, kept while streaming: once the
    subset is full, a frame whose key exceeds the largest kept key is
    discarded on arrival. Under DDP, :meth:`gather` merges the ranks' subsets
    and keeps the global bottom ``capacity``, which is a uniform sample of
    the union of all ranks' frames.

    Args:
        capacity: Most frames kept; ``None`` keeps every frame.
        seed: Base seed of the keys.
    """

    def __init__(self, capacity: Optional[int], seed: int) -> None:
        if capacity is not None and capacity < 1:
            raise ValueError(f'max_memory_frames must be >= 1 or None, got '
                             f'{capacity}')
        self.capacity = capacity
        self.generator = torch.Generator().manual_seed(seed + get_rank())
        self.features: Optional[torch.Tensor] = None
        self.labels: Optional[torch.Tensor] = None
        self.keys: Optional[torch.Tensor] = None

    def add(self, features: torch.Tensor, labels: torch.Tensor) -> None:
        """Offer frames ``features (F, C)`` with ``labels (F,)``."""
        keys = torch.rand(len(features), generator=self.generator,
                          dtype=torch.float64).to(features.device)
        if self.keys is not None and self.capacity is not None and len(
                self.keys) == self.capacity:
            entering = keys < self.keys.max()
            features, labels, keys = (features[entering], labels[entering],
                                      keys[entering])
        if self.keys is None:
            self.features, self.labels, self.keys = features, labels, keys
        else:
            self.features = torch.cat([self.features, features])
            self.labels = torch.cat([self.labels, labels])
            self.keys = torch.cat([self.keys, keys])
        self._keep_smallest_keys()

    def gather(self) -> FrameMemory:
        """The subset over all ranks (rank order), at most ``capacity``."""
        if self.keys is None:
            raise RuntimeError('the memory dataloader yielded no batch')
        self.features = all_gather_rows(self.features)
        self.labels = all_gather_rows(self.labels)
        self.keys = all_gather_rows(self.keys)
        self._keep_smallest_keys()
        return FrameMemory(self.features, self.labels)

    def _keep_smallest_keys(self) -> None:
        """Drop all but the ``capacity`` frames with the smallest keys."""
        if self.capacity is None or len(self.keys) <= self.capacity:
            return
        keep = torch.topk(self.keys, self.capacity, largest=False).indices
        self.features = self.features[keep]
        self.labels = self.labels[keep]
        self.keys = self.keys[keep]


def all_gather_rows(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``(n_r, ...)`` tensors of all ranks in rank order.

    ``n_r`` may differ between ranks (rows are padded for the all-gather and
    trimmed after). Without distribution, returns ``tensor``.
    """
    if get_world_size() == 1:
        return tensor
    size = torch.tensor([len(tensor)], device=tensor.device)
    sizes = [int(s) for s in all_gather(size)]
    padded = tensor.new_zeros((max(sizes), ) + tuple(tensor.shape[1:]))
    padded[:len(tensor)] = tensor
    return torch.cat(
        [rows[:n] for rows, n in zip(all_gather(padded), sizes)])


def knn_topk(query: torch.Tensor, memory: torch.Tensor, k: int,
             chunk_size: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` most similar memory rows of every query row, by blocks.

    Similarity is the dot product (cosine for L2-normalised rows). Queries
    and memory are cut into blocks of ``chunk_size`` rows, so at most a
    ``(chunk_size, chunk_size)`` similarity block exists at a time; the
    running top-k of a query block is merged with each memory block's.

    Args:
        query: ``(Q, C)``.
        memory: ``(P, C)``, ``P >= 1``.
        k: Neighbours per query; capped at ``P``.
        chunk_size: Rows per block.

    Returns:
        tuple: ``similarities`` ``(Q, k')`` descending and ``indices``
        ``(Q, k')`` long into ``memory``, ``k' = min(k, P)``.
    """
    k = min(k, len(memory))
    top_sims, top_inds = [], []
    for block in query.split(chunk_size):
        sims = block.new_empty((len(block), 0))
        inds = torch.empty((len(block), 0), dtype=torch.long,
                           device=block.device)
        for start in range(0, len(memory), chunk_size):
            block_sims = block @ memory[start:start + chunk_size].T
            block_inds = torch.arange(start, start + block_sims.shape[1],
                                      device=block.device)
            sims = torch.cat([sims, block_sims], dim=1)
            inds = torch.cat([inds, block_inds.expand_as(block_sims)], dim=1)
            sims, best = sims.topk(min(k, sims.shape[1]), dim=1)
            inds = inds.gather(1, best)
        top_sims.append(sims)
        top_inds.append(inds)
    return torch.cat(top_sims), torch.cat(top_inds)


def knn_class_probabilities(query: torch.Tensor, memory: FrameMemory,
                            num_classes: int, k: int, temperature: float,
                            chunk_size: int) -> torch.Tensor:
    """Weighted k-NN vote (InstDisc, Wu et al. 2018) of every query frame.

    ``p(c | q) = sum_{i in N_k(q), y_i = c} w_i / sum_{i in N_k(q)} w_i``
    with ``w_i = exp(s_i / temperature)`` and ``s_i`` the cosine similarity
    to neighbour ``i`` (a softmax over the ``k`` neighbours' similarities).

    Args:
        query: ``(Q, C)`` L2-normalised frame features.
        memory: The labelled memory bank.
        num_classes: ``K + 1`` (classes and background).
        k: Neighbours.
        temperature: Vote temperature ``> 0``.
        chunk_size: Block size of the similarity search (:func:`knn_topk`).

    Returns:
        ``(Q, K + 1)`` class probabilities (rows sum to 1).
    """
    sims, inds = knn_topk(query, memory.features, k, chunk_size)
    weights = torch.softmax(sims / temperature, dim=1)
    probs = query.new_zeros((len(query), num_classes))
    return probs.scatter_add_(1, memory.labels[inds], weights)


LevelSpec = Union[int, Sequence[int]]
"""One backbone level (an index into ``extract_feat``'s tuple), or several
to fuse (:func:`fuse_levels`)."""


def level_list(level: LevelSpec,
               level_weights: Optional[Sequence[float]] = None) -> List[int]:
    """``level`` as a list of indices, its weights checked against it.

    Raises:
        ValueError: ``level`` is neither an int nor a non-empty sequence of
            ints, or ``level_weights`` is not one positive finite number
            per level.
    """
    is_int = isinstance(level, int) and not isinstance(level, bool)
    levels = [level] if is_int else level
    if (isinstance(levels, str) or not isinstance(levels, Sequence)
            or not levels or not all(
                isinstance(i, int) and not isinstance(i, bool)
                for i in levels)):
        raise ValueError(f'level must be an int or a non-empty sequence of '
                         f'ints, got {level!r}')
    if level_weights is not None and (
            len(level_weights) != len(levels) or not all(
                math.isfinite(w) and w > 0 for w in level_weights)):
        raise ValueError(f'level_weights must hold one positive finite '
                         f'weight per level of {list(levels)}, got '
                         f'{list(level_weights)}')
    return list(levels)


def resolve_levels(level: LevelSpec, num_levels: int,
                   level_weights: Optional[Sequence[float]] = None
                   ) -> List[int]:
    """The non-negative indices of ``level`` among ``num_levels`` levels.

    Raises:
        ValueError: as :func:`level_list`; or a level outside
            ``[-num_levels, num_levels)``, named with the model's level
            count; or a level named twice (``-1`` and ``num_levels - 1``
            are the same level).
    """
    levels = level_list(level, level_weights)
    for index in levels:
        if not -num_levels <= index < num_levels:
            raise ValueError(
                f'level {index} does not exist: the model returns '
                f'{num_levels} level(s), indices 0..{num_levels - 1} or '
                f'-{num_levels}..-1')
    resolved = [index % num_levels for index in levels]
    if len(set(resolved)) != len(resolved):
        raise ValueError(f'level {list(levels)} names a level twice (the '
                         f'model returns {num_levels} levels)')
    return resolved


def features_at_frames(features: torch.Tensor,
                       num_frames: int) -> torch.Tensor:
    """One level ``(N, C_l, T_l)`` -> float32 ``(N, C_l, T)``: linearly
    interpolated to ``T = num_frames`` (``align_corners=False``; a no-op
    when ``T_l == T``), then L2-normalised over channels, frame by frame."""
    features = features.float()
    if features.shape[-1] != num_frames:
        features = F.interpolate(features, size=num_frames, mode='linear',
                                 align_corners=False)
    return F.normalize(features, dim=1)


def fuse_levels(levels: Sequence[torch.Tensor], num_frames: int,
                weights: Sequence[float]) -> torch.Tensor:
    """Feature fusion of several levels for KNN (paper Tab. 6).

    Each level ``(N, C_l, T_l)`` becomes unit frame vectors ``u_l``
    ``(N, C_l, T)`` (:func:`features_at_frames`); they are scaled by
    ``sqrt(w_l / sum_m w_m)``, concatenated over channels into
    ``(N, sum_l C_l, T)`` and L2-normalised per frame. The cosine of two
    fused frames is then the weighted mean of the levels' cosines,
    ``sum_l w_l cos(u_l, u'_l) / sum_l w_l``: each level weighs ``w_l``
    however many channels it has (equal weights by default). A level whose
    frame is all zero (e.g. padding) stays zero and the others are
    re-normalised.

    Args:
        levels: ``L`` tensors ``(N, C_l, T_l)``; ``C_l`` and ``T_l`` may
            differ between levels.
        num_frames: The input's ``T``.
        weights: ``L`` positive weights ``w_l``.

    Returns:
        float32 ``(N, sum_l C_l, T)``, unit norm per frame.
    """
    total = sum(weights)
    parts = [features_at_frames(features, num_frames) * math.sqrt(w / total)
             for features, w in zip(levels, weights)]
    return F.normalize(torch.cat(parts, dim=1), dim=1)


@torch.no_grad()
def frame_level_features(
        model: torch.nn.Module,
        data_batch: dict,
        level: LevelSpec = -1,
        fp16: bool = False,
        level_weights: Optional[Sequence[float]] = None
) -> Tuple[torch.Tensor, list]:
    """L2-normalised per-frame features of a batch, at the input's frames.

    One level (an int, or a sequence of one):
    ``model.extract_feat(inputs)[level]`` ``(N, C_l, T_l)`` is linearly
    interpolated to the input's ``T`` (``align_corners=False``) and
    L2-normalised over channels, frame by frame
    (:func:`features_at_frames`). Several levels, e.g. ``[0, 2, 3]``: each
    is so treated, then they are fused (:func:`fuse_levels`), each level
    weighing ``level_weights[l]`` (default equal) in the cosine whatever
    its channel count.

    Args:
        model: A model with ``data_preprocessor`` and ``extract_feat``
            (unwrapped from DDP).
        data_batch: A collated batch, inputs ``(M, T, V, C)`` per sample.
        level: Index into ``extract_feat``'s tuple of levels, or distinct
            indices to fuse.
        fp16: Run the backbone under autocast.
        level_weights: One positive weight per level of ``level``.

    Returns:
        tuple: ``features`` float32 ``(N, T, C_l)`` (fused:
        ``(N, T, sum_l C_l)``) and the preprocessed data samples.

    Raises:
        ValueError: a bad ``level`` or ``level_weights``
            (:func:`resolve_levels`), naming the model's level count.
    """
    data = model.data_preprocessor(data_batch, False)
    inputs = data['inputs']
    with autocast(enabled=fp16):
        levels = model.extract_feat(inputs)
    indices = resolve_levels(level, len(levels), level_weights)
    num_frames = inputs.shape[2]
    if len(indices) == 1:
        features = features_at_frames(levels[indices[0]], num_frames)
    else:
        features = fuse_levels([levels[i] for i in indices], num_frames,
                               level_weights or [1.0] * len(indices))
    return features.transpose(1, 2), data['data_samples']

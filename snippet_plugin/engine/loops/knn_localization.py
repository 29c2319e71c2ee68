"""Training-free localization by k-nearest-neighbour frame classification.

The protocol of the paper's KNN evaluation (PAPER_NOTES "Headline numbers"):
frozen backbone features of every labelled training frame form a memory
bank; each test frame takes the weighted vote of its ``k`` most similar
memory frames as its class probabilities, and the localization
post-processing turns these frame probabilities into scored segments.
"""
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.dist import all_gather, get_rank, get_world_size
from mmengine.evaluator import Evaluator
from mmengine.logging import print_log
from mmengine.runner import BaseLoop
from mmengine.runner.amp import autocast
from torch.utils.data import DataLoader

from mmaction.registry import LOOPS
from ..runner_model import unwrapped_model
from ...evaluation.predictions import set_frame_predictions

KNN_PROPOSAL_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
"""Default proposal thresholds for kNN vote fractions (see
:class:`KNNLocalizationLoop`)."""


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


@torch.no_grad()
def frame_level_features(model: torch.nn.Module, data_batch: dict,
                         level: int = -1,
                         fp16: bool = False) -> Tuple[torch.Tensor, list]:
    """L2-normalised per-frame features of a batch, at the input's frames.

    ``model.extract_feat(inputs)[level]`` ``(N, C_l, T_l)`` is linearly
    interpolated to the input's ``T`` (``align_corners=False``) and
    L2-normalised over channels, frame by frame.

    Args:
        model: A model with ``data_preprocessor`` and ``extract_feat``
            (unwrapped from DDP).
        data_batch: A collated batch, inputs ``(M, T, V, C)`` per sample.
        level: Index into ``extract_feat``'s tuple of levels.
        fp16: Run the backbone under autocast.

    Returns:
        tuple: ``features`` float32 ``(N, T, C_l)`` and the preprocessed
        data samples.
    """
    data = model.data_preprocessor(data_batch, False)
    inputs = data['inputs']
    with autocast(enabled=fp16):
        features = model.extract_feat(inputs)[level]
    features = features.float()
    num_frames = inputs.shape[2]
    if features.shape[-1] != num_frames:
        features = F.interpolate(features, size=num_frames, mode='linear',
                                 align_corners=False)
    return F.normalize(features, dim=1).transpose(1, 2), data['data_samples']


@LOOPS.register_module()
class KNNLocalizationLoop(BaseLoop):
    """Validation/test loop: kNN frame classification -> segments -> mAP.

    Usable as ``val_cfg`` and as ``test_cfg``. Each :meth:`run`:

    1. extracts frame features of the memory set: ``model.extract_feat(
       inputs)[level]`` ``(N, C, T_l)``, linearly interpolated to the input's
       ``T`` (``align_corners=False``), L2-normalised per frame; frames with
       ``frame_mask`` True and ``gt_frame_labels >= 0`` (a class or the
       background ``K``) enter the memory, padding and unlabelled frames
       never do. At most ``max_memory_frames`` frames are kept, a uniform
       random subset with a fixed ``seed`` (:class:`RandomFrameSubset`);
    2. classifies every real frame of each query sample by the weighted vote
       of its ``k`` nearest memory frames
       (:func:`knn_class_probabilities`);
    3. maps the ``(K + 1, T)`` probabilities to the original sequence through
       ``frame_inds`` and proposes segments with
       :func:`~snippet_plugin.evaluation.functional.frames_to_segments`
       (``postprocess`` kwargs, ``background_id = K``);
    4. feeds the data samples to the evaluator and returns its metrics.

    Hooks: as MMEngine's ``ValLoop`` / ``TestLoop`` — ``before_{role}``,
    ``before_{role}_epoch``, per query batch ``before_{role}_iter`` /
    ``after_{role}_iter`` (``outputs`` = the data samples), then
    ``after_{role}_epoch`` with the metrics and ``after_{role}``. The role is
    ``'test'`` when the runner holds this loop as its test loop, else
    ``'val'``. Memory batches call no hooks.

    Each query data sample must hold every frame of its sequence exactly
    once (whole-sequence test pipeline, e.g. ``PadFrames``; no dataset
    ``window``), since the metric expects one prediction per video. The
    loop sets on it:

    * metainfo ``pred_segments`` int64 ``(S, 3)`` ``[start, end, class]``
      (half-open, original frames) and ``pred_segment_scores`` ``(S,)``;
    * ``pred_frame_scores`` float ``(K + 1, T_ori)`` and
      ``pred_frame_labels`` long ``(T_ori,)`` (argmax), over the original
      ``total_frames`` frames.

    Memory: the bank holds ``P <= max_memory_frames`` frames of ``C``
    channels, on the model's device: ``P * (4 C + 16)`` bytes (features,
    labels, sampling keys), i.e. about ``max_memory_frames * C * 4`` bytes
    of features (200000 x 256 channels: 205 MB); while streaming, one
    batch's frames come on top, and under DDP each rank briefly holds the
    gathered subsets of all ranks. The similarity search never holds more
    than a ``(chunk_size, chunk_size)`` block.

    Default proposal thresholds (:data:`KNN_PROPOSAL_THRESHOLDS`,
    ``0.1, ..., 0.9``): kNN probabilities are vote fractions, where one of
    ``k = 20`` equally weighted neighbours is worth 0.05, so the paper's
    softmax thresholds 0.03-0.05 would open a segment wherever a single
    stray neighbour votes for a class. The grid spans the whole range of
    vote fractions evenly (a step of two neighbours at ``k = 20``), from a
    minority vote to near-unanimity, and leaves the choice among the
    resulting candidates to the outer-inner score and NMS. It was not tuned
    on any data.

    Distributed: every rank extracts its shard of the memory set, the
    subsets are all-gathered (:func:`all_gather_rows`, rank order) and
    reduced to the global ``max_memory_frames``, so all ranks vote with the
    same memory; query samples are sharded and the evaluator collects the
    results. ``DefaultSampler`` pads the memory set to a multiple of the
    world size, so a few memory sequences may enter twice.

    Args:
        runner: The runner.
        dataloader: Query (validation/test) dataloader or its config.
        evaluator: Evaluator or its config (``TemporalLocalizationMetric``).
        memory_dataloader: Dataloader (or config) of the LABELLED memory set,
            e.g. ``UntrimmedPoseDataset`` split ``'train'`` with a
            whole-sequence ``PadFrames`` pipeline, batch size 1. Its classes
            must be the query dataset's.
        k: Neighbours per vote.
        temperature: Vote temperature of ``exp(s / temperature)``.
        level: Backbone level of ``extract_feat``'s tuple.
        max_memory_frames: Bound on memory frames; ``None`` keeps all.
        seed: Seed of the memory subsampling.
        chunk_size: Rows per block of the similarity search.
        postprocess: Keyword arguments of ``frames_to_segments`` (default
            ``thresholds``: :data:`KNN_PROPOSAL_THRESHOLDS`); not
            ``background_id``, which is ``K``.
        fp16: Run the backbone under autocast; the search runs in float32.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 memory_dataloader: Union[DataLoader, Dict],
                 k: int = 20,
                 temperature: float = 0.07,
                 level: int = -1,
                 max_memory_frames: Optional[int] = 200000,
                 seed: int = 0,
                 chunk_size: int = 4096,
                 postprocess: Optional[dict] = None,
                 fp16: bool = False) -> None:
        super().__init__(runner, dataloader)
        if k < 1 or temperature <= 0 or chunk_size < 1:
            raise ValueError(f'need k >= 1, temperature > 0, chunk_size >= '
                             f'1; got {k}, {temperature}, {chunk_size}')
        if 'background_id' in (postprocess or {}):
            raise ValueError('postprocess must not set background_id: the '
                             'loop uses the background id K')
        self.evaluator = (
            runner.build_evaluator(evaluator) if isinstance(
                evaluator, (dict, list)) else evaluator)
        self.classes = tuple(self.dataloader.dataset.metainfo['classes'])
        self.evaluator.dataset_meta = self.dataloader.dataset.metainfo
        self.runner.visualizer.dataset_meta = self.dataloader.dataset.metainfo
        if isinstance(memory_dataloader, dict):
            memory_dataloader = runner.build_dataloader(
                memory_dataloader,
                seed=runner.seed,
                diff_rank_seed=runner._randomness_cfg.get(
                    'diff_rank_seed', False))
        self.memory_dataloader = memory_dataloader
        memory_classes = tuple(
            memory_dataloader.dataset.metainfo.get('classes', ()))
        if memory_classes != self.classes:
            raise ValueError(f'memory classes {memory_classes} differ from '
                             f'the query classes {self.classes}')
        self.k = k
        self.temperature = temperature
        self.level = level
        self.max_memory_frames = max_memory_frames
        self.seed = seed
        self.chunk_size = chunk_size
        self.postprocess = dict(thresholds=KNN_PROPOSAL_THRESHOLDS,
                                **(postprocess or {}))
        self.fp16 = fp16

    @property
    def model(self) -> torch.nn.Module:
        """The runner's model without its DDP wrapper."""
        return unwrapped_model(self.runner)

    @property
    def role(self) -> str:
        """``'test'`` if the runner runs this loop as its test loop, else
        ``'val'`` (names the hooks)."""
        return 'test' if getattr(self.runner, '_test_loop',
                                 None) is self else 'val'

    def run(self) -> dict:
        """Build the memory, localize every query sample, evaluate.

        Returns:
            dict: The evaluator's metrics (``tal/mAP@0.1``, ...).
        """
        role = self.role
        self.runner.call_hook(f'before_{role}')
        self.runner.call_hook(f'before_{role}_epoch')
        self.runner.model.eval()
        memory = self.build_memory()
        for idx, data_batch in enumerate(self.dataloader):
            self.runner.call_hook(f'before_{role}_iter', batch_idx=idx,
                                  data_batch=data_batch)
            outputs = self.localize(data_batch, memory)
            self.evaluator.process(data_samples=outputs,
                                   data_batch=data_batch)
            self.runner.call_hook(f'after_{role}_iter', batch_idx=idx,
                                  data_batch=data_batch, outputs=outputs)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        self.runner.call_hook(f'after_{role}_epoch', metrics=metrics)
        self.runner.call_hook(f'after_{role}')
        return metrics

    def frame_features(self, data_batch: dict) -> Tuple[torch.Tensor, list]:
        """:func:`frame_level_features` of the loop's model and level."""
        return frame_level_features(self.model, data_batch, self.level,
                                    self.fp16)

    def build_memory(self) -> FrameMemory:
        """The memory bank over the memory set (all ranks)."""
        subset = RandomFrameSubset(self.max_memory_frames, self.seed)
        seen = 0
        for data_batch in self.memory_dataloader:
            features, samples = self.frame_features(data_batch)
            labels = torch.stack([s.gt_frame_labels for s in samples])
            keep = torch.stack([s.frame_mask for s in samples]) & (labels >=
                                                                   0)
            if labels.max() > len(self.classes):
                raise ValueError(f'memory frame labels exceed the background'
                                 f' id {len(self.classes)}')
            subset.add(features[keep], labels[keep])
            seen += int(keep.sum())
        memory = subset.gather()
        if len(memory.labels) == 0:
            raise ValueError('the memory set has no labelled frame; give '
                             'memory_dataloader a dataset with frame labels')
        print_log(f'KNN memory: {len(memory.labels)} frames (this rank saw '
                  f'{seen} labelled frames)', logger='current')
        return memory

    def localize(self, data_batch: dict, memory: FrameMemory) -> list:
        """Predicted segments and frame scores of each sample of a batch."""
        features, samples = self.frame_features(data_batch)
        for sample_features, sample in zip(features, samples):
            self.localize_sample(sample_features, sample, memory)
        return samples

    def localize_sample(self, features: torch.Tensor, sample,
                        memory: FrameMemory) -> None:
        """Set predictions on one data sample, in original coordinates.

        Args:
            features: ``(T, C)`` frame features of the packed sample.
            sample: Its ``ActionDataSample`` (``frame_mask``,
                ``frame_inds``, ``total_frames``).
            memory: The memory bank.
        """
        valid = sample.frame_mask.bool()
        probs = knn_class_probabilities(features[valid], memory,
                                        len(self.classes) + 1, self.k,
                                        self.temperature, self.chunk_size)
        set_frame_predictions(sample, probs.T, valid, len(self.classes),
                              **self.postprocess)

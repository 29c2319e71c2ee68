"""Training-free localization by k-nearest-neighbour frame classification.

The protocol of the paper's KNN evaluation (PAPER_NOTES "Headline numbers"):
frozen backbone features of every labelled training frame form a memory
bank; each test frame takes the weighted vote of its ``k`` most similar
memory frames as its class probabilities, and the localization
post-processing turns these frame probabilities into scored segments. The
maths lives in :mod:`snippet_plugin.evaluation.functional.knn`; this module
is the runner loop.
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.evaluator import Evaluator
from mmengine.logging import print_log
from mmengine.runner import BaseLoop
from torch.utils.data import DataLoader

from mmaction.registry import LOOPS
from ..runner_model import unwrapped_model
from ...evaluation.functional.knn import (KNN_PROPOSAL_THRESHOLDS,
                                          FrameMemory, LevelSpec,
                                          RandomFrameSubset,
                                          frame_level_features,
                                          knn_class_probabilities, level_list)
from ...evaluation.predictions import set_frame_predictions
from ...evaluation.smoothing_selection import (HeldOutScores, fresh_metric,
                                               gather_held_out,
                                               held_out_names,
                                               select_smoothing_window,
                                               smoothing_config)


@LOOPS.register_module()
class KNNLocalizationLoop(BaseLoop):
    """Validation/test loop: kNN frame classification -> segments -> mAP.

    Usable as ``val_cfg`` and as ``test_cfg``. Each :meth:`run`:

    1. extracts frame features of the memory set: ``model.extract_feat(
       inputs)[level]`` ``(N, C, T_l)``, linearly interpolated to the input's
       ``T`` (``align_corners=False``), L2-normalised per frame; or, for a
       sequence ``level`` such as ``[0, 2, 3]``, the levels so treated and
       fused, each weighing ``level_weights`` (default equal) in the cosine
       whatever its channel count (``(N, T, sum_l C_l)``,
       :func:`~snippet_plugin.evaluation.functional.knn.fuse_levels`, the
       feature fusion of paper Tab. 6); frames with
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

    Temporal smoothing (``smoothing``, default None: the paper's
    post-processing) averages the frame probabilities over a centred window
    before step 3 (:func:`~snippet_plugin.evaluation.functional.
    smooth_frame_scores`). ``dict(window_s=S)`` fixes the window;
    ``dict(candidates_s=[...], holdout_fraction=0.2, holdout_seed=0)``
    chooses it on training data only
    (:mod:`~snippet_plugin.evaluation.smoothing_selection`): a
    class-stratified holdout of the memory sequences is left out of a
    second memory, queried against it, and scored at every candidate; the
    best window then localizes the queries, whose memory is the whole
    memory set as without smoothing. With smoothing the metrics hold both
    protocols: the evaluator's keys (``tal/...``) score the smoothed
    predictions, the same keys under ``tal_unsmoothed/`` the paper's, and
    the metric's ``tal/smoothing_s`` records the window used (and
    :attr:`smoothing_choice` how every candidate scored).

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

    Memory is bounded by ``max_memory_frames`` (``P * (4 C + 16)`` bytes;
    ``docs/checkpoints.md``, "Memory of the queues and the KNN bank"), and
    the search never holds more than a ``(chunk_size, chunk_size)``
    similarity block. The default proposal
    thresholds are :data:`KNN_PROPOSAL_THRESHOLDS`.

    Distributed: each rank extracts its shard of the memory set; the subsets
    are all-gathered and reduced to the global ``max_memory_frames``, so all
    ranks vote with the same memory (``DefaultSampler`` pads the memory set
    to a multiple of the world size, so a few sequences may enter twice).
    Query samples are sharded and the evaluator collects the results.

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
        level: Backbone level of ``extract_feat``'s tuple, or a sequence of
            distinct levels to fuse (``--cfg-options
            test_cfg.level=[0,2,3]``). A level the model lacks is refused
            at the first batch, naming the model's level count.
        level_weights: One positive weight per fused level; default
            equal.
        max_memory_frames: Bound on memory frames; ``None`` keeps all.
        seed: Seed of the memory subsampling.
        chunk_size: Rows per block of the similarity search.
        postprocess: Keyword arguments of ``frames_to_segments`` (default
            ``thresholds``: :data:`KNN_PROPOSAL_THRESHOLDS`); not
            ``background_id``, which is ``K``.
        fp16: Run the backbone under autocast; the search runs in float32.
        smoothing: None, ``dict(window_s=S)`` or ``dict(candidates_s=...,
            holdout_fraction=..., holdout_seed=...)`` (above).
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 memory_dataloader: Union[DataLoader, Dict],
                 k: int = 20,
                 temperature: float = 0.07,
                 level: LevelSpec = -1,
                 level_weights: Optional[Sequence[float]] = None,
                 max_memory_frames: Optional[int] = 200000,
                 seed: int = 0,
                 chunk_size: int = 4096,
                 postprocess: Optional[dict] = None,
                 fp16: bool = False,
                 smoothing: Optional[dict] = None) -> None:
        super().__init__(runner, dataloader)
        if k < 1 or temperature <= 0 or chunk_size < 1:
            raise ValueError(f'need k >= 1, temperature > 0, chunk_size >= '
                             f'1; got {k}, {temperature}, {chunk_size}')
        if {'background_id', 'smoothing_s'} & set(postprocess or {}):
            raise ValueError('postprocess must not set background_id (the '
                             'loop uses K) nor smoothing_s (use smoothing)')
        self.smoothing = smoothing_config(smoothing)
        self.evaluator = (
            runner.build_evaluator(evaluator) if isinstance(
                evaluator, (dict, list)) else evaluator)
        self.classes = tuple(self.dataloader.dataset.metainfo['classes'])
        self.evaluator.dataset_meta = self.dataloader.dataset.metainfo
        self.unsmoothed_evaluator = (None if self.smoothing is None else
                                     unsmoothed_copy(self.evaluator))
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
        level_list(level, level_weights)
        self.held_out = set()
        self.smoothing_choice = None
        if self.smoothing is not None and 'candidates_s' in self.smoothing:
            self.held_out = set(held_out_names(
                memory_dataloader.dataset,
                self.smoothing['holdout_fraction'],
                self.smoothing['holdout_seed']))
        self.k = k
        self.temperature = temperature
        self.level = level
        self.level_weights = level_weights
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
        memory, selection = self.build_memory()
        smoothing_s = self.smoothing_window(selection)
        for idx, data_batch in enumerate(self.dataloader):
            self.runner.call_hook(f'before_{role}_iter', batch_idx=idx,
                                  data_batch=data_batch)
            outputs = self.localize(data_batch, memory, smoothing_s)
            self.evaluator.process(data_samples=outputs,
                                   data_batch=data_batch)
            if self.unsmoothed_evaluator is not None:
                self.unsmoothed_evaluator.process(data_samples=outputs,
                                                  data_batch=data_batch)
            self.runner.call_hook(f'after_{role}_iter', batch_idx=idx,
                                  data_batch=data_batch, outputs=outputs)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        if self.unsmoothed_evaluator is not None:
            metrics.update(self.unsmoothed_evaluator.evaluate(
                len(self.dataloader.dataset)))
        self.runner.call_hook(f'after_{role}_epoch', metrics=metrics)
        self.runner.call_hook(f'after_{role}')
        return metrics

    def frame_features(self, data_batch: dict) -> Tuple[torch.Tensor, list]:
        """:func:`frame_level_features` of the loop's model and levels."""
        return frame_level_features(self.model, data_batch, self.level,
                                    self.fp16, self.level_weights)

    def build_memory(self) -> Tuple[FrameMemory, Optional[tuple]]:
        """The memory bank over the memory set (all ranks), and what the
        smoothing window is chosen with.

        Returns:
            tuple: The memory and, when the window is chosen on training
            data, ``(fit_memory, held_out)``: the memory of the sequences
            outside the holdout and this rank's held-out ``(features,
            sample)`` pairs; else None.
        """
        subset = RandomFrameSubset(self.max_memory_frames, self.seed)
        fit_subset = (RandomFrameSubset(self.max_memory_frames, self.seed)
                      if self.held_out else None)
        held_out = []
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
            if fit_subset is not None:
                in_holdout = torch.tensor(
                    [s.metainfo['frame_dir'] in self.held_out
                     for s in samples], device=keep.device)
                fit = keep & ~in_holdout[:, None]
                fit_subset.add(features[fit], labels[fit])
                held_out += [(f, s) for f, s, h in zip(features, samples,
                                                       in_holdout) if h]
        memory = subset.gather()
        if len(memory.labels) == 0:
            raise ValueError('the memory set has no labelled frame; give '
                             'memory_dataloader a dataset with frame labels')
        print_log(f'KNN memory: {len(memory.labels)} frames (this rank saw '
                  f'{seen} labelled frames)', logger='current')
        if fit_subset is None:
            return memory, None
        return memory, (fit_subset.gather(), held_out)

    def smoothing_window(self, selection: Optional[tuple]) -> Optional[float]:
        """The smoothing window in seconds: None without smoothing, the fixed
        ``window_s``, or the candidate that scores best on the held-out
        training sequences queried against the other ones' memory."""
        if self.smoothing is None:
            return None
        if selection is None:
            return float(self.smoothing['window_s'])
        fit_memory, held_out = selection
        scored = []
        for features, sample in held_out:
            valid = sample.frame_mask.bool()
            scored.append(HeldOutScores.from_sample(
                sample, self.vote(features[valid], fit_memory).T, valid))
        metric = next(m for m in self.evaluator.metrics
                      if hasattr(m, 'unsmoothed'))
        self.smoothing_choice = select_smoothing_window(
            gather_held_out(scored), self.smoothing['candidates_s'],
            lambda: fresh_metric(metric, self.classes), len(self.classes),
            self.postprocess)
        return self.smoothing_choice.window_s

    def localize(self, data_batch: dict, memory: FrameMemory,
                 smoothing_s: Optional[float] = None) -> list:
        """Predicted segments and frame scores of each sample of a batch."""
        features, samples = self.frame_features(data_batch)
        for sample_features, sample in zip(features, samples):
            self.localize_sample(sample_features, sample, memory,
                                 smoothing_s)
        return samples

    def localize_sample(self, features: torch.Tensor, sample,
                        memory: FrameMemory,
                        smoothing_s: Optional[float] = None) -> None:
        """Set predictions on one data sample, in original coordinates.

        Args:
            features: ``(T, C)`` frame features of the packed sample.
            sample: Its ``ActionDataSample`` (``frame_mask``,
                ``frame_inds``, ``total_frames``).
            memory: The memory bank.
            smoothing_s: Smoothing window in seconds (None: none).
        """
        valid = sample.frame_mask.bool()
        set_frame_predictions(sample, self.vote(features[valid], memory).T,
                              valid, len(self.classes),
                              smoothing_s=smoothing_s, **self.postprocess)

    def vote(self, features: torch.Tensor,
             memory: FrameMemory) -> torch.Tensor:
        """``(T, K + 1)`` class probabilities of frames ``(T, C)`` by the
        weighted vote of their ``k`` nearest memory frames."""
        return knn_class_probabilities(features, memory,
                                       len(self.classes) + 1, self.k,
                                       self.temperature, self.chunk_size)


def unsmoothed_copy(evaluator: Evaluator) -> Evaluator:
    """An evaluator whose localization metrics score the samples' unsmoothed
    predictions (``unsmoothed=True``), named ``<prefix>_unsmoothed/...``."""
    copied = copy.deepcopy(evaluator)
    for metric in copied.metrics:
        if hasattr(metric, 'unsmoothed'):
            metric.unsmoothed = True
            metric.prefix = f'{metric.prefix}_unsmoothed'
    copied.metrics = [m for m in copied.metrics if hasattr(m, 'unsmoothed')]
    return copied

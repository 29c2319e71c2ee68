"""Choose the smoothing window on training data, never on the test split.

A held-out part of the training sequences is localized with the model (KNN:
against a memory of the other training sequences; Stage 2: the train
holdout that already selects checkpoints), and each candidate window is
scored on it with the test metric. The best window is then used on the
test split. The test split is never read while choosing.
"""
import copy
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
from mmengine.dist import all_gather_object
from mmengine.logging import print_log

from ..datasets.untrimmed_pose_dataset import select_holdout
from .functional import smoothing_window_frames
from .metrics import TemporalLocalizationMetric
from .predictions import postprocess_frame_scores, sequence_frame_scores

SELECTION_KEY = 'mAP_avg'
"""The metric key the window is chosen by (higher is better)."""


def smoothing_config(smoothing: Optional[dict]) -> Optional[dict]:
    """Check a loop's ``smoothing`` option and fill its defaults.

    ``None``: no smoothing (the paper's post-processing). Otherwise one of

    * ``dict(window_s=S)``: a fixed window of ``S`` seconds;
    * ``dict(candidates_s=[...], holdout_fraction=0.2, holdout_seed=0)``:
      choose among the candidate windows (seconds; include 0 to let "no
      smoothing" win) on a class-stratified holdout of the training
      sequences (:func:`select_smoothing_window`).

    Returns:
        The checked option with defaults, or None.
    """
    if smoothing is None:
        return None
    smoothing = dict(smoothing)
    if ('window_s' in smoothing) == ('candidates_s' in smoothing):
        raise ValueError('smoothing needs exactly one of window_s (a fixed '
                         'window) and candidates_s (windows to choose from '
                         f'on training data), got {sorted(smoothing)}')
    if 'window_s' in smoothing:
        unknown = set(smoothing) - {'window_s'}
        if unknown or not smoothing['window_s'] >= 0:
            raise ValueError(f'smoothing=dict(window_s=S) takes one S >= 0, '
                             f'got {smoothing}')
        return smoothing
    smoothing.setdefault('holdout_fraction', 0.2)
    smoothing.setdefault('holdout_seed', 0)
    unknown = set(smoothing) - {'candidates_s', 'holdout_fraction',
                                'holdout_seed'}
    if unknown:
        raise ValueError(f'unknown smoothing keys {sorted(unknown)}')
    candidates = [float(c) for c in smoothing['candidates_s']]
    if not candidates or min(candidates) < 0:
        raise ValueError('smoothing candidates_s must be seconds >= 0, got '
                         f'{smoothing["candidates_s"]}')
    if not 0 < smoothing['holdout_fraction'] < 1:
        raise ValueError('smoothing holdout_fraction must be in (0, 1), got '
                         f'{smoothing["holdout_fraction"]}')
    smoothing['candidates_s'] = sorted(set(candidates))
    return smoothing


@dataclass
class HeldOutScores:
    """A held-out training sequence's frame scores and ground truth.

    Attributes:
        frame_dir: Sequence id.
        frame_scores: ``(K + 1, T)`` unsmoothed class probabilities in
            original frame order.
        gt_segments: ``(G, 3)`` ``[start, end, class]`` rows.
        fps: Frame rate.
    """
    frame_dir: str
    frame_scores: np.ndarray
    gt_segments: np.ndarray
    fps: float

    @classmethod
    def from_sample(cls, sample, scores, valid) -> 'HeldOutScores':
        """From a packed data sample and the ``(K + 1, T_valid)`` scores of
        its valid frames (:func:`sequence_frame_scores`)."""
        return cls._of(sample, sequence_frame_scores(sample, scores, valid))

    @classmethod
    def from_prediction(cls, sample) -> 'HeldOutScores':
        """From a data sample a localizer predicted without smoothing (its
        ``pred_frame_scores``, original frames)."""
        return cls._of(sample,
                       sample.pred_frame_scores.double().cpu().numpy())

    @classmethod
    def _of(cls, sample, frame_scores: np.ndarray) -> 'HeldOutScores':
        fps = sample.metainfo.get('fps')
        if not fps:
            raise ValueError(f'{sample.metainfo.get("frame_dir")!r}: choosing'
                             ' a smoothing window needs the frame rate (fps)')
        return cls(sample.metainfo['frame_dir'], frame_scores,
                   np.asarray(sample.gt_segments).reshape(-1, 3), float(fps))


@dataclass
class SmoothingChoice:
    """The chosen window and what every candidate scored on the holdout.

    Attributes:
        window_s: The chosen window in seconds.
        scores: ``{candidate seconds: holdout metric}`` (``SELECTION_KEY``,
            percent).
        num_sequences: Held-out sequences it was chosen on.
    """
    window_s: float
    scores: Dict[float, float] = field(default_factory=dict)
    num_sequences: int = 0

    def summary(self) -> str:
        """One line: the choice and every candidate's holdout score."""
        table = ', '.join(f'{s:g} s: {v:.2f}' for s, v in self.scores.items())
        return (f'smoothing window {self.window_s:g} s, chosen on '
                f'{self.num_sequences} held-out training sequences by '
                f'{SELECTION_KEY} ({table})')


def select_smoothing_window(held_out: Sequence[HeldOutScores],
                            candidates_s: Sequence[float],
                            new_metric: Callable[[], object],
                            background_id: int,
                            postprocess: Optional[dict] = None
                            ) -> SmoothingChoice:
    """The candidate window with the best holdout ``SELECTION_KEY``.

    For each candidate (ascending), every held-out sequence is
    post-processed (:func:`postprocess_frame_scores`) with the window at its
    own fps, and a fresh metric from ``new_metric`` scores them all
    (``compute_metrics``, no collection across ranks: under DDP pass every
    rank's sequences, :func:`gather_held_out`); ties go to the shorter
    window.

    Args:
        held_out: The held-out sequences, each once.
        candidates_s: Windows in seconds.
        new_metric: Returns a ``TemporalLocalizationMetric`` (with its
            ``dataset_meta``) that has seen nothing.
        background_id: ``K``.
        postprocess: Keyword arguments of ``frames_to_segments``.

    Returns:
        SmoothingChoice: The window and the table of candidates.
    """
    if not held_out:
        raise ValueError('no held-out sequence to choose a smoothing window '
                         'on')
    scores = {}
    for seconds in sorted(candidates_s):
        metric = new_metric()
        metric.process(None, [
            _scored_sample(item, smoothing_window_frames(seconds, item.fps),
                           background_id, postprocess or {})
            for item in held_out
        ])
        scores[seconds] = metric.compute_metrics(metric.results)[
            SELECTION_KEY]
    best = max(scores, key=lambda s: (scores[s], -s))
    choice = SmoothingChoice(best, scores, len(held_out))
    print_log(choice.summary(), logger='current')
    return choice


def fresh_metric(metric, classes: Sequence[str]):
    """A copy of a ``TemporalLocalizationMetric`` (its protocol and
    thresholds) that has seen nothing, for ``classes``; a default one when
    ``metric`` is None."""
    fresh = TemporalLocalizationMetric() if metric is None else copy.copy(
        metric)
    fresh.results = []
    fresh.dataset_meta = dict(classes=list(classes))
    return fresh


def gather_held_out(items: Sequence[HeldOutScores]) -> List[HeldOutScores]:
    """Every rank's held-out sequences, each once (a distributed sampler
    may hand a sequence to two ranks), ordered by ``frame_dir``; the input
    itself outside DDP."""
    gathered = {item.frame_dir: item
                for rank_items in all_gather_object(list(items))
                for item in rank_items}
    return [gathered[name] for name in sorted(gathered)]


def _scored_sample(item: HeldOutScores, window: int, background_id: int,
                   postprocess: dict) -> dict:
    """The metric's view of one held-out sequence post-processed with
    ``window``."""
    result = postprocess_frame_scores(item.frame_scores, background_id,
                                      window, **postprocess)
    return dict(frame_dir=item.frame_dir, gt_segments=item.gt_segments,
                total_frames=item.frame_scores.shape[1],
                pred_segments=result['segments'],
                pred_segment_scores=result['segment_scores'],
                pred_frame_labels=result['frame_labels'])


def held_out_names(memory_dataset, fraction: float, seed: int) -> List[str]:
    """The class-stratified holdout of a labelled dataset's sequences
    (:func:`~snippet_plugin.datasets.untrimmed_pose_dataset.select_holdout`
    on each item's ``frame_dir`` and ``video_labels``)."""
    infos = [memory_dataset.get_data_info(i)
             for i in range(len(memory_dataset))]
    held = select_holdout(
        {info['frame_dir']: list(info.get('video_labels', []))
         for info in infos}, fraction, seed)
    if not held:
        raise ValueError(
            f'smoothing holdout_fraction={fraction} holds out none of the '
            f'{len(infos)} memory sequences; raise it')
    return sorted(held)

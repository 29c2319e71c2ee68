"""The annotation files: the pretraining file, the three subset files and
their statistics."""
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from ....datasets.annotation import derive_frame_labels, derive_video_labels
from .babel_json import BabelSequence
from .timing import TARGET_FPS, segments_from_babel_labels


BABEL_SUBSETS = {
    1: ('walk', 'stand', 'turn', 'jump'),
    2: ('sit', 'run', 'stand up', 'kick'),
    3: ('jog', 'wave', 'dance', 'gesture'),
}
"""The paper's three 4-class subsets, in class-id order; names are BABEL
``act_cat`` values (matched case-insensitively)."""

JointLoader = Callable[[str], np.ndarray]
"""``feat_p`` -> float32 ``(T, 25, 3)`` joints at 30 fps (from the cache)."""


SUBSET_SEQUENCE_CHOICES = ('with-action', 'all')

@dataclass
class FileSummary:
    """Statistics of one written annotation file.

    Attributes:
        name: File name.
        classes: Its classes.
        splits: ``{split: {'sequences', 'frames', 'instances' (K,)}}``.
        dropped_segments: (label, class) pairs empty after rounding.
        multi_label_frames: Frames inside segments of two or more classes.
    """
    name: str
    classes: Tuple[str, ...]
    splits: Dict[str, dict] = field(default_factory=dict)
    dropped_segments: int = 0
    multi_label_frames: int = 0


def multi_label_frames(segments: np.ndarray, total_frames: int) -> int:
    """Frames covered by segments of at least two different classes."""
    covered = np.zeros((total_frames, ), dtype=np.int64)
    for class_id in np.unique(segments[:, 2]):
        mask = np.zeros(total_frames, dtype=bool)
        for start, end, _ in segments[segments[:, 2] == class_id]:
            mask[start:end] = True
        covered += mask
    return int((covered > 1).sum())


def subset_sample(sequence: BabelSequence, keypoint: np.ndarray,
                  classes: Sequence[str]) -> Tuple[dict, int]:
    """A labelled sample of ``sequence`` and its dropped-segment count.

    Args:
        sequence: A sequence with ``labels``.
        keypoint: float32 ``(T, 25, 3)`` joints at 30 fps.
        classes: The subset's class names.
    """
    frames = len(keypoint)
    segments, dropped = segments_from_babel_labels(sequence.labels, classes,
                                                   frames)
    return dict(frame_dir=sequence.sid, feat_p=sequence.feat_p,
                total_frames=frames, keypoint=keypoint[None],
                segments=segments.tolist(),
                frame_labels=derive_frame_labels(segments, frames,
                                                 len(classes)),
                label=derive_video_labels(segments)), dropped


def _count_split(summary: FileSummary, split: str,
                 sample: Optional[dict] = None) -> None:
    """Add ``sample`` to the statistics of ``split`` (created if new)."""
    stats = summary.splits.setdefault(
        split, dict(sequences=0, frames=0,
                    instances=np.zeros(len(summary.classes), np.int64)))
    if sample is None:
        return
    stats['sequences'] += 1
    stats['frames'] += sample['total_frames']
    for _, _, class_id in sample.get('segments', []):
        stats['instances'][class_id] += 1


def build_subset(subset: int, sequences: Sequence[BabelSequence],
                 joints: JointLoader, meta: dict,
                 subset_sequences: str = 'with-action'
                 ) -> Tuple[dict, FileSummary]:
    """The annotation dict of one subset and its summary.

    Args:
        subset: 1, 2 or 3 (:data:`BABEL_SUBSETS`).
        sequences: Candidate sequences (those with ``labels``; all cached).
        joints: Their joints.
        meta: Common ``meta`` entries.
        subset_sequences: ``'with-action'`` keeps sequences with at least
            one segment of the subset, ``'all'`` every one.
    """
    classes = BABEL_SUBSETS[subset]
    summary = FileSummary(f'babel_subset{subset}.pkl', classes)
    samples, split = [], {'train': [], 'val': []}
    for name in split:
        _count_split(summary, name)
    for sequence in sequences:
        sample, dropped = subset_sample(sequence, joints(sequence.feat_p),
                                        classes)
        if subset_sequences == 'with-action' and not sample['segments']:
            continue
        summary.dropped_segments += dropped
        summary.multi_label_frames += multi_label_frames(
            np.asarray(sample['segments'], np.int64).reshape(-1, 3),
            sample['total_frames'])
        samples.append(sample)
        split[sequence.split].append(sequence.sid)
        _count_split(summary, sequence.split, sample)
    data = dict(meta=dict(meta, classes=list(classes), subset=subset,
                          subset_sequences=subset_sequences),
                split=split, annotations=samples)
    return data, summary


def build_pretrain(sequences: Sequence[BabelSequence], joints: JointLoader,
                   meta: dict) -> Tuple[dict, FileSummary]:
    """The unlabelled pretraining annotation dict (split ``train``)."""
    summary = FileSummary('babel_pretrain.pkl', ())
    _count_split(summary, 'train')
    samples = []
    for sequence in sequences:
        keypoint = joints(sequence.feat_p)
        samples.append(dict(frame_dir=sequence.sid, feat_p=sequence.feat_p,
                            total_frames=len(keypoint),
                            keypoint=keypoint[None]))
        _count_split(summary, 'train', samples[-1])
    data = dict(meta=dict(meta, classes=[]),
                split={'train': [s.sid for s in sequences]},
                annotations=samples)
    return data, summary



def format_summary(summary: FileSummary, fps: float = TARGET_FPS) -> str:
    """Per split: sequences, frames, hours, then instances per class."""
    lines = [summary.name]
    for split, stats in summary.splits.items():
        lines.append(
            f"  {split:>5}: {stats['sequences']} sequences, "
            f"{stats['frames']} frames, {stats['frames'] / fps / 3600:.2f} h,"
            f" {int(stats['instances'].sum())} action instances")
    if summary.classes:
        width = max(len(name) for name in summary.classes)
        lines.append(f"  {'class':<{width}}" +
                     ''.join(f'{split:>8}' for split in summary.splits))
        for class_id, name in enumerate(summary.classes):
            lines.append(f'  {name:<{width}}' + ''.join(
                f"{int(stats['instances'][class_id]):>8}"
                for stats in summary.splits.values()))
        lines.append(f'  segments dropped (empty after rounding): '
                     f'{summary.dropped_segments}; frames in segments of 2+ '
                     f'classes: {summary.multi_label_frames}')
    return '\n'.join(lines)

"""Untrimmed skeleton sequences with frame, video or no labels."""
import hashlib
import os.path as osp
from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset

from mmaction.registry import DATASETS, TRANSFORMS
from .annotation import (UNLABELLED, AnnotationError, derive_frame_labels,
                         derive_video_labels, load_annotations)
from .transforms.windows import sliding_window_starts

LABEL_MODES = ('frame', 'video', 'none')
UNLABELLED_POLICIES = ('drop', 'keep')
PARTS = ('all', 'fit', 'holdout')
"""Which part of a split a dataset reads (see :func:`select_holdout`)."""
HOLDOUT_SALT = 'holdout/'
"""Prefix of the holdout's ranks, so they are independent of the labelled
subset's ranks under the same seed."""


def sequence_rank(seed: int, frame_dir: str, salt: str = '') -> str:
    """Seeded pseudo-random sort key of a sequence, independent of order."""
    return hashlib.sha256(f'{salt}{seed}/{frame_dir}'.encode()).hexdigest()


def sample_segments(sample: dict) -> np.ndarray:
    """``(S, 3)`` int64 ``[start, end, class]`` of a sample (``(0, 3)`` if
    it has none)."""
    return np.asarray(sample.get('segments', []),
                      dtype=np.int64).reshape(-1, 3)


def rarest_class_strata(
        video_labels: Dict[str, List[int]]) -> Dict[Optional[int], List[str]]:
    """Sequences grouped by their RAREST class.

    The rarest class of a sequence is the class of its segments found in
    the fewest sequences (ties -> lower id); sequences without any action
    form the stratum ``None``.

    Args:
        video_labels: ``frame_dir -> class ids present``.

    Returns:
        ``class id (or None) -> frame_dirs``, in ``video_labels`` order.
    """
    frequency = Counter(c for labels in video_labels.values() for c in labels)
    strata: Dict[Optional[int], List[str]] = {}
    for name, labels in video_labels.items():
        rarest = min(labels, key=lambda c: (frequency[c], c), default=None)
        strata.setdefault(rarest, []).append(name)
    return strata


def select_labelled(video_labels: Dict[str, List[int]], fraction: float,
                    seed: int) -> set:
    """A class-stratified, reproducible subset of labelled sequences.

    Rule: each sequence joins the stratum of its RAREST class
    (:func:`rarest_class_strata`; sequences without any action form one
    background stratum). Each stratum keeps
    ``round(fraction * size)`` sequences (halves round up), at least one,
    namely those with the smallest :func:`sequence_rank`. Finally, every
    class that the lowest-ranked sequence of each stratum leaves
    unrepresented gets its lowest-ranked sequence, whatever the fraction.
    Ranks depend only on ``seed`` and ``frame_dir``, so the subset does not
    depend on the file's order; and since the strata keep growing prefixes
    and the added class holders do not depend on the fraction, with one seed
    a smaller fraction picks a subset of a larger one (10 % ⊂ 20 % ⊂ ...).

    Args:
        video_labels: ``frame_dir -> class ids present``.
        fraction: Share of sequences to keep, in ``(0, 1]``.
        seed: Seed of the ranks.

    Returns:
        The selected ``frame_dir`` values.
    """
    frequency = Counter(c for labels in video_labels.values() for c in labels)
    selected, firsts = set(), set()
    for members in rarest_class_strata(video_labels).values():
        keep = max(1, int(np.floor(fraction * len(members) + 0.5)))
        ranked = sorted(members, key=lambda n: sequence_rank(seed, n))
        selected.update(ranked[:keep])
        firsts.add(ranked[0])
    covered = {c for name in firsts for c in video_labels[name]}
    for class_id in sorted(set(frequency) - covered):
        holders = [n for n, labels in video_labels.items() if class_id in
                   labels]
        selected.add(min(holders, key=lambda n: sequence_rank(seed, n)))
    return selected


def select_holdout(video_labels: Dict[str, List[int]], fraction: float,
                   seed: int) -> set:
    """A class-stratified, reproducible held-out share of a split, on which
    checkpoints are selected so that the test split never is.

    Rule: the strata of :func:`rarest_class_strata`; a stratum of ``n``
    sequences holds out ``min(round(fraction * n), n - 1)`` of them (halves
    round up), namely those with the smallest
    ``sequence_rank(seed, frame_dir, HOLDOUT_SALT)``. So every stratum, and
    with it every class's rarest holders, keeps at least one sequence to fit
    on; a stratum of one sequence is never held out. The ranks depend only
    on ``seed`` and ``frame_dir`` (not on the file's order), and the salt
    makes them independent of :func:`select_labelled`'s under one seed.

    Args:
        video_labels: ``frame_dir -> class ids present``.
        fraction: Share of sequences to hold out, in ``(0, 1)``.
        seed: Seed of the ranks.

    Returns:
        The held-out ``frame_dir`` values (the rest is the fit part).
    """
    held_out = set()
    for members in rarest_class_strata(video_labels).values():
        count = min(int(np.floor(fraction * len(members) + 0.5)),
                    len(members) - 1)
        ranked = sorted(members,
                        key=lambda n: sequence_rank(seed, n, HOLDOUT_SALT))
        held_out.update(ranked[:count])
    return held_out


def split_samples(data: dict, split: Optional[str],
                  ann_file: str) -> List[dict]:
    """The samples of ``split`` of a loaded annotation file (all samples if
    it is ``None``).

    Raises:
        AnnotationError: ``split`` is not one of the file's, naming
            ``ann_file`` and the splits it has.
    """
    if split is None:
        return list(data['annotations'])
    splits = data.get('split', {})
    if split not in splits:
        raise AnnotationError(
            f'{ann_file}: split {split!r} not found; available splits: '
            f'{sorted(splits)}')
    members = set(splits[split])
    return [s for s in data['annotations'] if s['frame_dir'] in members]


@DATASETS.register_module()
class UntrimmedPoseDataset(BaseDataset):
    """Untrimmed skeleton sequences for pretraining and localization.

    Loads an annotation ``.pkl`` or pickle-free ``.npz`` (see
    :mod:`..annotation`) with
    :func:`load_annotations`, which validates it and names the file, sample
    and field of every problem.

    Label modes (what the pipeline may learn from):

    * ``'frame'``: ``frame_labels`` from the file (or derived from
      ``segments``), video labels = classes in the segments. Every sample
      needs ``segments``.
    * ``'video'`` (weakly supervised): ``frame_labels`` all -1; only the
      video-level labels are kept for training. The segments survive only as
      evaluation ground truth (``segments`` -> metainfo ``gt_segments``),
      which no loss may read, so frame positions cannot leak into training.
      Every sample needs ``segments``.
    * ``'none'`` (pretraining): ``frame_labels`` all -1 and no video labels;
      samples without ``segments`` are allowed (``segments`` is empty then).

    Semi-supervision: ``label_fraction < 1`` keeps the labels of a
    class-stratified, seeded subset of sequences (rule in
    :func:`select_labelled`); the other sequences are dropped
    (``unlabelled='drop'``) or kept with frame labels -1 and no video labels
    (``unlabelled='keep'``).

    Held-out part (checkpoint selection without the test split):
    ``holdout_fraction`` in ``(0, 1)`` splits the sequences of ``split``
    into a class-stratified, seeded holdout (rule in
    :func:`select_holdout`) and the rest, the fit part; ``part='fit'``
    reads the rest, ``part='holdout'`` the holdout, ``part='all'`` (the
    default, no ``holdout_fraction``) the whole split. The two parts are
    disjoint and together the split, whatever the ``label_mode``: the
    holdout is drawn from the classes of the file's ``segments`` before
    ``label_mode`` or ``label_fraction`` apply, so a weak or semi-supervised
    training set (``part='fit'``) and its frame-labelled validation set
    (``part='holdout'``) always partition the split the same way.
    ``label_fraction`` then picks its labelled sequences from the fit part.

    More unlabelled data (pretraining): ``unlabelled_extra``, a list of
    ``dict(ann_file, split=None)``, adds the sequences of other annotation
    files (all of them, or one split) after those of ``split``, only with
    ``label_mode='none'``. Their files must share this file's ``layout`` and
    ``fps``; their segments belong to another class list, so they are
    dropped (``segments`` empty), and a ``frame_dir`` already read is an
    error, so no sequence is read twice or under another's name. Keep the
    evaluation split's sequences out of them: nothing here can tell.

    Windows: with ``window=dict(clip_len=L, stride=S)`` every sequence
    becomes ``1 + ceil(max(T - L, 0) / S)`` items, one per sliding window,
    which together cover every frame (the last one is padded by
    ``WindowCrop``). Each item holds the whole sequence (so normalisation
    sees the same reference frame in every window), which costs about
    ``L / S`` times the memory. Without ``window`` each item is a whole
    sequence (``window_start=0``, ``window_len=T``).

    Results dict handed to the pipeline:

    * ``keypoint`` float32 ``(M, T, V, C)``;
    * ``total_frames`` (int, current ``T``; transforms update it) and
      ``ori_total_frames`` (int, the sequence's ``T``, never changed);
    * ``frame_labels`` int64 ``(T,)`` (class, background ``K``, or -1);
    * ``frame_mask`` bool ``(T,)``, all True (False marks padding later);
    * ``segments`` int64 ``(S, 3)`` ``[start, end, class]``, ground truth in
      original sequence coordinates, for evaluation only;
    * ``video_labels`` (list of int), ``frame_dir`` (str), ``window_start``
      and ``window_len`` (int), ``fps``, ``num_classes`` (``K``),
      ``label_mode`` (str).

    ``metainfo`` (the runner's ``dataset_meta``): ``classes``, ``fps``,
    ``layout``, ``label_end`` (how the raw labels' ends were read, where
    the file says; the ``'pkummd'`` metric protocol needs it),
    ``background_id`` (``K``), ``num_classes`` (``K``); values given in the
    ``metainfo`` argument take precedence over the file's.

    Args:
        ann_file: Annotation ``.pkl`` or ``.npz`` path (joined to
            ``data_root``); the suffix picks the format.
        pipeline: Transforms applied to each item.
        split: Key of the file's ``split`` dict; ``None`` uses every sample.
        label_mode: ``'frame'``, ``'video'`` or ``'none'``.
        label_fraction: Share of sequences whose labels are kept, ``(0, 1]``.
        label_seed: Seed of the labelled subset.
        unlabelled: ``'drop'`` or ``'keep'`` the sequences outside the subset.
        holdout_fraction: Share of the split held out, ``[0, 1)``; 0 (the
            default) only with ``part='all'``.
        holdout_seed: Seed of the holdout.
        part: ``'all'``, ``'fit'`` or ``'holdout'`` (:data:`PARTS`).
        window: ``dict(clip_len, stride)`` for sliding-window items.
        unlabelled_extra: ``dict(ann_file, split=None)`` per other file
            whose sequences are added without labels (``label_mode
            'none'`` only); ``ann_file`` is joined to ``data_root``.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`
            (``data_root``, ``metainfo``, ``test_mode``, ``indices``, ...).
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 split: Optional[str] = None,
                 label_mode: str = 'frame',
                 label_fraction: float = 1.0,
                 label_seed: int = 0,
                 unlabelled: str = 'drop',
                 holdout_fraction: float = 0.0,
                 holdout_seed: int = 0,
                 part: str = 'all',
                 window: Optional[dict] = None,
                 unlabelled_extra: Sequence[dict] = (),
                 **kwargs) -> None:
        if label_mode not in LABEL_MODES:
            raise ValueError(f'label_mode must be one of {LABEL_MODES}, got '
                             f'{label_mode!r}')
        if not 0 < label_fraction <= 1:
            raise ValueError('label_fraction must be in (0, 1], got '
                             f'{label_fraction}')
        if label_mode == 'none' and label_fraction < 1:
            raise ValueError("label_fraction needs labels; label_mode='none'"
                             ' has none')
        if unlabelled not in UNLABELLED_POLICIES:
            raise ValueError(f'unlabelled must be one of '
                             f'{UNLABELLED_POLICIES}, got {unlabelled!r}')
        if part not in PARTS:
            raise ValueError(f'part must be one of {PARTS}, got {part!r}')
        if not 0 <= holdout_fraction < 1:
            raise ValueError('holdout_fraction must be in [0, 1), got '
                             f'{holdout_fraction}')
        if (part == 'all') != (holdout_fraction == 0):
            raise ValueError(
                f"part={part!r} with holdout_fraction={holdout_fraction}: "
                "part 'fit' or 'holdout' needs a holdout_fraction in (0, 1),"
                " part 'all' reads the whole split and takes none")
        if window is not None:
            sliding_window_starts(1, **window)  # checks clip_len and stride
        if unlabelled_extra and label_mode != 'none':
            raise ValueError(
                f"unlabelled_extra adds sequences without labels; "
                f"label_mode={label_mode!r} would mix them with labelled "
                "ones (use label_mode='none')")
        malformed = [extra for extra in unlabelled_extra
                     if 'ann_file' not in extra
                     or set(extra) - {'ann_file', 'split'}]
        if malformed:
            raise ValueError('each unlabelled_extra entry is dict(ann_file, '
                             f'split=None), got {malformed}')
        self.unlabelled_extra = [dict(extra) for extra in unlabelled_extra]
        self.split = split
        self.label_mode = label_mode
        self.label_fraction = label_fraction
        self.label_seed = label_seed
        self.unlabelled = unlabelled
        self.holdout_fraction = holdout_fraction
        self.holdout_seed = holdout_seed
        self.part = part
        self.window = None if window is None else dict(window)
        # Build with MMAction2's registry, so no default scope is needed.
        transforms = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ]
        super().__init__(ann_file, pipeline=transforms, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Load, select and label the sequences; expand windows."""
        data = load_annotations(self.ann_file)
        self._update_metainfo(data['meta'])
        samples = self._part_samples(
            split_samples(data, self.split, self.ann_file))
        if self.label_mode != 'none':
            self._check_segments(samples)
        items = [self._parse_sample(sample) for sample in samples]
        if self.label_fraction < 1:
            items = self._apply_label_fraction(items)
        items += self._extra_items({item['frame_dir'] for item in items})
        if self.window is not None:
            items = [w for item in items for w in self._windows(item)]
        return items

    def get_cat_ids(self, idx: int) -> List[int]:
        """Video-level class ids of item ``idx`` (for class-balanced
        sampling wrappers)."""
        return self.get_data_info(idx)['video_labels']

    def _update_metainfo(self, meta: dict) -> None:
        """Fill ``metainfo`` from the file's meta (the argument wins)."""
        for key in ('classes', 'fps', 'layout', 'label_end'):
            if key in meta:
                self._metainfo.setdefault(key, meta[key])
        self._metainfo.setdefault('classes', ())
        num_classes = len(self._metainfo['classes'])
        file_classes = meta.get('classes')
        if file_classes is not None and len(file_classes) != num_classes:
            raise AnnotationError(
                f'{self.ann_file}: metainfo gives {num_classes} classes, the '
                f'file {len(file_classes)}')
        self._metainfo.setdefault('fps', None)
        self._metainfo.setdefault('layout', 'nturgb+d')
        self._metainfo['num_classes'] = num_classes
        self._metainfo['background_id'] = num_classes

    def _extra_items(self, names: set) -> List[dict]:
        """The sequences of ``unlabelled_extra``, unlabelled, segments
        dropped; ``names`` are the ``frame_dir``s read so far.

        Raises:
            AnnotationError: a file of another layout or fps, or a
                ``frame_dir`` read before, naming both files.
        """
        items = []
        for extra in self.unlabelled_extra:
            ann_file = extra['ann_file']
            if self.data_root and not osp.isabs(ann_file):
                ann_file = osp.join(self.data_root, ann_file)
            data = load_annotations(ann_file)
            for key in ('layout', 'fps'):
                theirs = data['meta'].get(key, self._metainfo[key])
                if theirs != self._metainfo[key]:
                    raise AnnotationError(
                        f'{ann_file}: {key} {theirs!r} differs from '
                        f'{self.ann_file}\'s {self._metainfo[key]!r}; its '
                        'sequences cannot be read as unlabelled extra data')
            for sample in split_samples(data, extra.get('split'), ann_file):
                if sample['frame_dir'] in names:
                    raise AnnotationError(
                        f'{ann_file}: sample {sample["frame_dir"]!r} is '
                        f'already read (from {self.ann_file} or an earlier '
                        'unlabelled_extra file)')
                names.add(sample['frame_dir'])
                item = self._parse_sample(sample)
                item['segments'] = np.zeros((0, 3), dtype=np.int64)
                items.append(item)
        return items

    def _part_samples(self, samples: List[dict]) -> List[dict]:
        """The samples of ``self.part`` of the split (all for ``'all'``)."""
        if self.part == 'all':
            return samples
        held_out = select_holdout(
            {s['frame_dir']: derive_video_labels(sample_segments(s))
             for s in samples}, self.holdout_fraction, self.holdout_seed)
        if self.part == 'holdout' and not held_out:
            raise AnnotationError(
                f'{self.ann_file}: holdout_fraction={self.holdout_fraction} '
                f'holds out none of the {len(samples)} sequences of split '
                f'{self.split!r}; raise it')
        return [s for s in samples
                if (s['frame_dir'] in held_out) == (self.part == 'holdout')]

    def _check_segments(self, samples: List[dict]) -> None:
        """Labelled modes need ``segments`` in every sample."""
        missing = [s['frame_dir'] for s in samples if 'segments' not in s]
        if missing:
            raise AnnotationError(
                f'{self.ann_file}: label_mode={self.label_mode!r} needs '
                f'field "segments", missing in {len(missing)} sample(s), e.g.'
                f' sample {missing[0]!r}')

    def _parse_sample(self, sample: dict) -> dict:
        """The results dict of one whole sequence under ``label_mode``."""
        num_frames = int(sample['total_frames'])
        num_classes = self._metainfo['num_classes']
        segments = sample_segments(sample)
        frame_labels = np.full(num_frames, UNLABELLED, dtype=np.int64)
        video_labels = []
        if self.label_mode == 'frame' and 'frame_labels' in sample:
            frame_labels = np.array(sample['frame_labels'], dtype=np.int64)
        elif self.label_mode == 'frame':
            frame_labels = derive_frame_labels(segments, num_frames,
                                               num_classes)
        if self.label_mode in ('frame', 'video'):
            video_labels = derive_video_labels(segments)
        return dict(
            frame_dir=sample['frame_dir'],
            keypoint=np.asarray(sample['keypoint'], dtype=np.float32),
            total_frames=num_frames,
            ori_total_frames=num_frames,
            frame_labels=frame_labels,
            frame_mask=np.ones(num_frames, dtype=bool),
            segments=segments,
            video_labels=video_labels,
            window_start=0,
            window_len=num_frames,
            fps=self._metainfo['fps'],
            num_classes=num_classes,
            label_mode=self.label_mode)

    def _apply_label_fraction(self, items: List[dict]) -> List[dict]:
        """Keep the labels of the selected subset; drop or unlabel the rest.
        """
        selected = select_labelled(
            {item['frame_dir']: item['video_labels']
             for item in items}, self.label_fraction, self.label_seed)
        if self.unlabelled == 'drop':
            return [item for item in items if item['frame_dir'] in selected]
        for item in items:
            if item['frame_dir'] not in selected:
                item['frame_labels'] = np.full_like(item['frame_labels'],
                                                    UNLABELLED)
                item['video_labels'] = []
        return items

    def _windows(self, item: dict) -> List[dict]:
        """One item per sliding window of a sequence."""
        starts = sliding_window_starts(item['total_frames'],
                                       self.window['clip_len'],
                                       self.window['stride'])
        return [
            dict(item, window_start=int(start),
                 window_len=self.window['clip_len']) for start in starts
        ]

"""PKU-MMD (phase 1) skeletons and action labels -> an untrimmed annotation
file (format in :mod:`snippet_plugin.datasets.annotation`).

Raw files, one pair per video ``<id>`` (e.g. ``0002-L``: sequence 0002 seen
by the left camera; views L, M, R):

* skeleton ``<id>.txt`` (``.skeleton`` also accepted): one frame per line,
  150 numbers separated by whitespace = 2 bodies x 25 joints (NTU-25 order)
  x ``x y z`` (camera coordinates, metres), body 1 first. A body that is not
  there is written as 75 zeros. The number of lines is the number of frames
  ``T`` (30 fps); every line becomes a frame, none is dropped.
* label ``<id>.txt`` (``.label`` also accepted): one action per line,
  ``label,start,end,confidence`` with ``label`` in ``1..51`` and
  ``confidence`` 1 (slight) or 2 (strong), which is read but not kept.
* split file: the official ``cross-subject.txt`` / ``cross-view.txt`` hold
  a ``Training videos:`` line and a ``Validataion videos:`` line (spelled
  so; ``Validation`` is accepted too), each followed by comma-separated ids.

Frame convention (an explicit choice): ``start`` and ``end`` are 0-based
frame indices, i.e. 0-based line numbers in the skeleton file, and ``end``
is INCLUSIVE, the last frame of the action, as the official evaluator's
``[start, end]`` intervals have it. A label ``[s, e]`` becomes the
half-open segment ``[s, e + 1)``. ``end_inclusive=False`` reads ``[s, e)``
instead. A segment may end at most ``end_tolerance`` frames past the last
frame (default 0) and is then clipped to ``T``; anything further is an
error naming the file and line.

Output: ``meta`` (51 classes, ``fps=30``, ``layout='nturgb+d'``, source),
``split`` (``train``/``val``) and one sample per video with
``keypoint`` float32 ``(2, T, 25, 3)`` (an absent body is all zero),
``segments`` ``[[start, end_exclusive, class_id], ...]`` (class ids
``label - 1`` in ``0..50``, sorted by start), and the derived
``frame_labels`` ``(T,)`` (background id 51 where no action) and ``label``.
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ...datasets.annotation import derive_frame_labels, derive_video_labels
from .common import (ConversionReport, RawDataError, map_with_progress,
                     refuse_empty, split_ids)

PKUMMD_CLASSES = (
    'bow', 'brushing hair', 'brushing teeth', 'check time (from watch)',
    'cheer up', 'clapping', 'cross hands in front (say stop)', 'drink water',
    'drop', 'eat meal/snack', 'falling', 'giving something to other person',
    'hand waving', 'handshaking', 'hopping (one foot jumping)',
    'hugging other person', 'jump up', 'kicking other person',
    'kicking something', 'make a phone call/answer phone',
    'pat on back of other person', 'pickup', 'playing with phone/tablet',
    'point finger at the other person', 'pointing to something with finger',
    'punching/slapping other person', 'pushing other person',
    'put on a hat/cap', 'put something inside pocket', 'reading',
    'rub two hands together', 'salute', 'sitting down', 'standing up',
    'take off a hat/cap', 'take off glasses', 'take off jacket',
    'take out something from pocket', 'taking a selfie', 'tear up paper',
    'throw', 'touch back (backache)', 'touch chest (stomachache/heart pain)',
    'touch head (headache)', 'touch neck (neckache)', 'typing on a keyboard',
    'use a fan (with hand or paper)/feeling warm', 'wear jacket',
    'wear on glasses', 'wipe face', 'writing')
"""The 51 PKU-MMD phase-1 actions in label order (label ``i`` is
``PKUMMD_CLASSES[i - 1]``), as in the dataset's ``Actions.xlsx``."""

FPS = 30
NUM_BODIES = 2
NUM_JOINTS = 25
VALUES_PER_FRAME = NUM_BODIES * NUM_JOINTS * 3
SKELETON_SUFFIXES = ('.txt', '.skeleton')
LABEL_SUFFIXES = ('.txt', '.label')
MISSING_POLICIES = ('error', 'skip')
_SPLIT_HEADER = re.compile(r'(training|validation|validataion)\s+videos\s*:',
                           re.IGNORECASE)


def read_pkummd_skeleton(path: str) -> np.ndarray:
    """Read a PKU-MMD skeleton file.

    Args:
        path: ``<id>.txt`` with one line of 150 numbers per frame.

    Returns:
        float32 ``(2, T, 25, 3)``: bodies, frames (one per line), joints,
        xyz. An absent body stays all zero.

    Raises:
        RawDataError: empty file, a line without exactly 150 numbers, a
            token that is not a number, or a NaN/inf value; the message
            names the file and the line (line ``n`` is frame ``n - 1``).
    """
    with open(path) as f:
        lines = f.read().rstrip().splitlines()
    if not lines:
        raise RawDataError(f'{path}: empty skeleton file (0 frames)')
    frames = np.empty((len(lines), VALUES_PER_FRAME), dtype=np.float64)
    for number, line in enumerate(lines, start=1):
        tokens = line.replace(',', ' ').split()
        if len(tokens) != VALUES_PER_FRAME:
            raise RawDataError(
                f'{path}, line {number}: {len(tokens)} values, expected '
                f'{VALUES_PER_FRAME} (2 bodies x 25 joints x xyz)')
        try:
            frames[number - 1] = np.array(tokens, dtype=np.float64)
        except ValueError as err:
            raise RawDataError(f'{path}, line {number}: not a number '
                               f'({err})') from err
    finite = np.isfinite(frames).all(axis=1)
    if not finite.all():
        first = int(np.flatnonzero(~finite)[0])
        raise RawDataError(
            f'{path}, line {first + 1} (frame {first}): NaN or infinite '
            f'value; {int((~finite).sum())} frame(s) affected')
    keypoint = frames.reshape(len(lines), NUM_BODIES, NUM_JOINTS, 3)
    return np.ascontiguousarray(keypoint.transpose(1, 0, 2, 3),
                                dtype=np.float32)


def read_pkummd_labels(path: str,
                       total_frames: int,
                       num_classes: int = len(PKUMMD_CLASSES),
                       end_inclusive: bool = True,
                       end_tolerance: int = 0,
                       allow_empty: bool = False
                       ) -> Tuple[np.ndarray, List[str]]:
    """Read a PKU-MMD label file as half-open segments.

    Each line ``label,start,end[,confidence]`` becomes
    ``[start, end + 1, label - 1]`` (``end_inclusive``) or
    ``[start, end, label - 1]``. Blank lines are ignored. Every PKU-MMD
    video holds actions, so a file without any is refused unless
    ``allow_empty`` (then the video is all background, with a note).

    Args:
        path: The label file.
        total_frames: ``T`` of the video's skeleton file.
        num_classes: ``K``; labels must lie in ``1..K``.
        end_inclusive: Whether ``end`` is the last frame of the action.
        end_tolerance: Frames a segment may reach past ``T``; such a
            segment is clipped to ``T`` (and a note says so).
        allow_empty: Accept a file without any action.

    Returns:
        ``(segments, notes)``: int64 ``(S, 3)`` rows ``[start, end, class]``
        sorted by start, and remarks (clipped segments, overlaps).

    Raises:
        RawDataError: a malformed line, a label outside ``1..K``, a negative
            start, ``start > end`` (or ``start >= end`` for exclusive ends),
            or a segment past the last frame beyond ``end_tolerance``; the
            message names the file and the line. A file without any action
            unless ``allow_empty``.
    """
    with open(path) as f:
        lines = f.read().splitlines()
    rows, notes = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f'{path}, line {number} ({line.strip()!r})'
        fields = [field.strip() for field in line.split(',')]
        if len(fields) not in (3, 4):
            raise RawDataError(f'{where}: expected "label,start,end,'
                               f'confidence", got {len(fields)} field(s)')
        try:
            label, start, end = (int(field) for field in fields[:3])
        except ValueError as err:
            raise RawDataError(f'{where}: label, start and end must be '
                               'integers') from err
        if not 1 <= label <= num_classes:
            raise RawDataError(f'{where}: label {label} outside 1..'
                               f'{num_classes}')
        if start < 0:
            raise RawDataError(f'{where}: negative start frame {start}')
        stop = end + 1 if end_inclusive else end
        if stop <= start:
            relation = 'start > end' if end_inclusive else 'start >= end'
            raise RawDataError(f'{where}: {relation} (empty segment)')
        if stop > total_frames + end_tolerance or start >= total_frames:
            last = 'end' if end_inclusive else 'end - 1'
            raise RawDataError(
                f'{where}: segment past the last frame ({last} = '
                f'{stop - 1}, the skeleton has frames 0..{total_frames - 1};'
                f' tolerance {end_tolerance} frame(s))')
        if stop > total_frames:
            notes.append(f'{where}: end clipped by {stop - total_frames} '
                         'frame(s) to the last frame')
            stop = total_frames
        rows.append((start, stop, label - 1))
    if not rows:
        if not allow_empty:
            raise RawDataError(
                f'{path}: no action in the label file; its video would be '
                'all background. Pass --allow-empty-labels if it has none')
        notes.append(f'{path}: no action; the video is all background')
    segments = np.array(sorted(rows), dtype=np.int64).reshape(-1, 3)
    overlaps = int(np.sum(segments[1:, 0] < np.maximum.accumulate(
        segments[:-1, 1]))) if len(segments) > 1 else 0
    if overlaps:
        notes.append(f'{path}: {overlaps} segment(s) overlap an earlier one;'
                     ' frame_labels give the overlap to the shorter segment')
    return segments, notes


def read_id_list(path: str) -> List[str]:
    """Video ids separated by commas and/or whitespace, duplicates removed.

    Raises:
        RawDataError: if the file holds no id.
    """
    with open(path) as f:
        ids = list(dict.fromkeys(split_ids(f.read())))
    if not ids:
        raise RawDataError(f'{path}: no video ids found')
    return ids


def parse_split_file(path: str) -> Dict[str, List[str]]:
    """Read an official PKU-MMD split file.

    The file holds a ``Training videos:`` header and a ``Validataion
    videos:`` (or ``Validation videos:``) header, each followed by video
    ids separated by commas and/or whitespace, on one or several lines.

    Returns:
        ``{'train': [ids], 'val': [ids]}``.

    Raises:
        RawDataError: a header is missing or repeated, or a list is empty.
    """
    with open(path) as f:
        text = f.read()
    headers = list(_SPLIT_HEADER.finditer(text))
    names = ['train' if h.group(1).lower() == 'training' else 'val'
             for h in headers]
    if sorted(names) != ['train', 'val']:
        raise RawDataError(
            f'{path}: expected one "Training videos:" and one "Validataion '
            f'videos:" (or "Validation videos:") header, found {names}; '
            'give plain id lists with --train-list/--val-list instead')
    if text[:headers[0].start()].strip():
        raise RawDataError(f'{path}: text before the first header')
    ends = [h.start() for h in headers[1:]] + [len(text)]
    splits = {}
    for name, header, end in zip(names, headers, ends):
        splits[name] = list(dict.fromkeys(split_ids(text[header.end():end])))
        if not splits[name]:
            raise RawDataError(f'{path}: the {name} list is empty')
    return splits


def check_disjoint_splits(splits: Dict[str, Sequence[str]]) -> None:
    """Refuse a video listed in two splits (it would leak into val)."""
    seen = {}
    for name, ids in splits.items():
        for video in ids:
            if video in seen and seen[video] != name:
                raise RawDataError(f'video {video!r} is listed in both split '
                                   f'{seen[video]!r} and split {name!r}')
            seen[video] = name


def find_video_file(folder: str, video: str,
                    suffixes: Sequence[str]) -> Optional[str]:
    """The first ``folder/<video><suffix>`` that exists, else None."""
    for suffix in suffixes:
        path = osp.join(folder, video + suffix)
        if osp.isfile(path):
            return path
    return None


def convert_video(task: Tuple[str, str, str], num_classes: int,
                  end_inclusive: bool, end_tolerance: int,
                  allow_empty_labels: bool = False) -> Tuple[dict, List[str]]:
    """One annotation sample from a skeleton file and its label file.

    Args:
        task: ``(video_id, skeleton_path, label_path)``.
        num_classes, end_inclusive, end_tolerance: as in
            :func:`read_pkummd_labels`.
        allow_empty_labels: ``allow_empty`` of :func:`read_pkummd_labels`.

    Returns:
        ``(sample, notes)``; the sample has ``keypoint (2, T, 25, 3)``,
        ``segments``, ``frame_labels (T,)`` and ``label``.
    """
    video, skeleton_path, label_path = task
    keypoint = read_pkummd_skeleton(skeleton_path)
    total_frames = keypoint.shape[1]
    segments, notes = read_pkummd_labels(label_path, total_frames,
                                         num_classes, end_inclusive,
                                         end_tolerance, allow_empty_labels)
    sample = dict(
        frame_dir=video,
        total_frames=total_frames,
        keypoint=keypoint,
        segments=segments.tolist(),
        frame_labels=derive_frame_labels(segments, total_frames,
                                         num_classes),
        label=derive_video_labels(segments))
    return sample, notes


def locate_videos(skeleton_dir: str, label_dir: str,
                  splits: Dict[str, Sequence[str]], on_missing: str,
                  report: ConversionReport) -> Dict[str, List[tuple]]:
    """Pair each listed video with its skeleton and label file.

    Returns:
        ``{split: [(video_id, skeleton_path, label_path), ...]}`` of the
        videos whose two files exist.

    Raises:
        RawDataError: with ``on_missing='error'``, listing every listed
            video that lacks a skeleton or a label file.
    """
    found, missing = {}, []
    for name, ids in splits.items():
        found[name] = []
        for video in ids:
            skeleton = find_video_file(skeleton_dir, video,
                                       SKELETON_SUFFIXES)
            label = find_video_file(label_dir, video, LABEL_SUFFIXES)
            lacking = [kind for kind, path in (('skeleton file', skeleton),
                                               ('label file', label))
                       if path is None]
            if lacking:
                missing.append((video, f'no {" and no ".join(lacking)} '
                                f'(looked in {skeleton_dir} and {label_dir})'))
            else:
                found[name].append((video, skeleton, label))
    if missing and on_missing == 'error':
        listing = '\n'.join(f'  {video}: {why}' for video, why in missing)
        raise RawDataError(
            f'{len(missing)} listed video(s) lack a file (use --on-missing '
            f'skip to leave them out):\n{listing}')
    for video, why in missing:
        report.skip(video, why)
    return found


def convert_pkummd(skeleton_dir: str,
                   label_dir: str,
                   splits: Dict[str, Sequence[str]],
                   classes: Sequence[str] = PKUMMD_CLASSES,
                   end_inclusive: bool = True,
                   end_tolerance: int = 0,
                   on_missing: str = 'error',
                   workers: int = 1,
                   split_source: str = 'custom',
                   allow_empty_labels: bool = False
                   ) -> Tuple[dict, ConversionReport]:
    """Convert the listed PKU-MMD videos into one annotation dict.

    Args:
        skeleton_dir: Folder of ``<id>.txt`` skeleton files.
        label_dir: Folder of ``<id>.txt`` label files.
        splits: ``{'train': [ids], 'val': [ids]}``; files of other videos
            are ignored (a note counts them).
        classes: Class names; label ``i`` is ``classes[i - 1]``.
        end_inclusive: Whether a label's ``end`` is its last frame.
        end_tolerance: Frames a segment may reach past the last frame
            before it is an error (such a segment is clipped).
        on_missing: ``'error'`` or ``'skip'`` a listed video without its
            skeleton or label file (skipped ones are in the report).
        workers: Processes used to read the files.
        split_source: Where the split came from, kept in ``meta``.
        allow_empty_labels: Accept label files without any action (those
            videos are all background).

    Returns:
        ``(data, report)``: the annotation dict (validate and write it with
        :func:`~snippet_plugin.datasets.annotation.save_annotations`) and
        the skipped videos and notes.

    Raises:
        RawDataError: a bad file (named), or a split left empty by
            ``on_missing='skip'`` (before any file is read).
    """
    if on_missing not in MISSING_POLICIES:
        raise ValueError(f'on_missing must be one of {MISSING_POLICIES}, '
                         f'got {on_missing!r}')
    if end_tolerance < 0:
        raise ValueError(f'end_tolerance must be >= 0, got {end_tolerance}')
    check_disjoint_splits(splits)
    report = ConversionReport()
    located = locate_videos(skeleton_dir, label_dir, splits, on_missing,
                            report)
    refuse_empty(
        {name: [task[0] for task in tasks] for name, tasks in located.items()},
        f'{skeleton_dir} and {label_dir} ({len(report.skipped)} listed '
        'video(s) lack their files)', tuple(splits))
    tasks = [task for name in located for task in located[name]]
    results = map_with_progress(convert_video, tasks, workers,
                                num_classes=len(classes),
                                end_inclusive=end_inclusive,
                                end_tolerance=end_tolerance,
                                allow_empty_labels=allow_empty_labels)
    for _, notes in results:
        report.notes.extend(notes)
    unlisted = _count_unlisted(skeleton_dir, splits)
    if unlisted:
        report.notes.append(f'{unlisted} skeleton file(s) in {skeleton_dir} '
                            'are in no split and were left out')
    meta = dict(classes=list(classes), fps=FPS, layout='nturgb+d',
                source='PKU-MMD phase 1', split_source=split_source,
                label_end='inclusive' if end_inclusive else 'exclusive')
    split = {name: [task[0] for task in located[name]] for name in located}
    data = dict(meta=meta, split=split,
                annotations=[sample for sample, _ in results])
    return data, report


def _count_unlisted(skeleton_dir: str,
                    splits: Dict[str, Sequence[str]]) -> int:
    """Skeleton files in ``skeleton_dir`` whose video is in no split."""
    listed = {video for ids in splits.values() for video in ids}
    names = os.listdir(skeleton_dir) if osp.isdir(skeleton_dir) else []
    videos = {osp.splitext(name)[0] for name in names
              if osp.splitext(name)[1] in SKELETON_SUFFIXES}
    return len(videos - listed)

"""NTU RGB+D 60 skeletons -> a pretraining-only annotation file (format in
:mod:`snippet_plugin.datasets.annotation`), cross-subject (xsub) split.

NTU clips are trimmed: one action per clip, so they carry no temporal
segments. The output has no ``segments``, ``frame_labels``, ``label`` or
``meta['classes']`` and is read with ``label_mode='none'``. The action
stays visible in each ``frame_dir`` (``...A###``) but is not a label.

Two inputs:

* raw ``.skeleton`` text files named ``SsssCcccPpppRrrrAaaa.skeleton``
  (setup, camera, performer, replication, action). Layout, one item per
  line::

      T                                 frame count
      for each of the T frames:
        B                               bodies in this frame
        for each of the B bodies:
          bodyID clipedEdges handLeftConfidence handLeftState
            handRightConfidence handRightState isResticted leanX leanY
            trackingState               10 body-info values
          J                             joint count (25)
          J lines: x y z depthX depthY colorX colorY
            orientationW orientationX orientationY orientationZ
            trackingState               12 values per joint

  Only ``x y z`` (camera space, metres) are kept.
* the pyskl / MMAction2 ``ntu60_3danno.pkl``: ``{'split': {'xsub_train':
  [...], 'xsub_val': [...], ...}, 'annotations': [{'frame_dir', 'label',
  'keypoint' (M, T, V, C), 'total_frames', ...}]}``; its ``xsub_train`` /
  ``xsub_val`` become ``train`` / ``val``.

Body selection (raw files): bodies are tracked by ``bodyID`` across frames.
Each body's motion energy is ``sum over joints v and axes c of
Var_t(x[t, v, c])``, the variance taken over the frames in which that body
is tracked (a body seen in a single frame has energy 0, but is allowed).
The (at most) two bodies of highest energy are kept, highest first (ties:
first seen first), on the clip's common frame axis: ``keypoint`` float32
``(M, T, 25, 3)``, ``M = min(bodies, 2)``, zero where a body is not tracked.

xsub: performers 1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28,
31, 34, 35, 38 train; the other 20 validate. Only actions A001-A060 belong
to NTU-60; later ones (NTU-120) are left out with a note. Clips with zero
frames or no tracked body (NTU's "missing skeleton" samples) are skipped
and listed.
"""
import os
import os.path as osp
import pickle
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from .common import (ConversionReport, RawDataError, map_with_progress,
                     refuse_empty)

FPS = 30
NUM_JOINTS = 25
BODY_INFO_VALUES = 10
JOINT_VALUES = 12
NTU60_ACTIONS = 60
MAX_BODIES = 2
XSUB_TRAIN_SUBJECTS = (1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27,
                       28, 31, 34, 35, 38)
"""Performer ids of the NTU RGB+D cross-subject training set."""

_NAME = re.compile(r'S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})')
BODY_SELECTION = ('motion energy: top-2 bodies by sum over joints and xyz '
                  'of the variance over their tracked frames')


@dataclass(frozen=True)
class NTUSampleName:
    """The ids in an NTU file name ``SsssCcccPpppRrrrAaaa``."""
    setup: int
    camera: int
    performer: int
    replication: int
    action: int

    @classmethod
    def parse(cls, name: str) -> 'NTUSampleName':
        """Parse a name (with or without folder and suffix).

        Raises:
            ValueError: if the name does not follow the pattern.
        """
        stem = osp.basename(name).split('.')[0]
        match = _NAME.fullmatch(stem)
        if match is None:
            raise ValueError(f'{name!r} is not an NTU sample name '
                             '(SsssCcccPpppRrrrAaaa)')
        return cls(*(int(group) for group in match.groups()))


@dataclass
class BodyTrack:
    """One tracked body of a clip.

    Attributes:
        body_id: The Kinect ``bodyID``.
        frames: ``(F,)`` int64 frame indices in which the body is tracked.
        joints: float32 ``(F, 25, 3)`` xyz in those frames.
    """
    body_id: str
    frames: np.ndarray
    joints: np.ndarray

    def motion_energy(self) -> float:
        """``sum_{v, c} Var_t joints[t, v, c]`` over the tracked frames."""
        return float(self.joints.astype(np.float64).var(axis=0).sum())


class _LineCursor:
    """Reads a text file line by line, naming file and line on error.

    ``last`` is the 1-based number of the line read most recently.
    """

    def __init__(self, path: str, lines: List[str]):
        self.path = path
        self.lines = lines
        self.last = 0

    def error(self, line: int, message: str) -> RawDataError:
        return RawDataError(f'{self.path}, line {line}: {message}')

    def tokens(self, count: int, what: str) -> List[str]:
        """The next line's ``count`` whitespace-separated tokens."""
        line = self.last + 1
        if line > len(self.lines):
            raise self.error(line, f'file ends early (truncated file?), '
                             f'expected {what}')
        tokens = self.lines[line - 1].split()
        if len(tokens) != count:
            raise self.error(line, f'{len(tokens)} value(s), expected '
                             f'{count} ({what})')
        self.last = line
        return tokens

    def integer(self, what: str) -> int:
        """The next line as one non-negative integer."""
        token = self.tokens(1, what)[0]
        if not token.isdigit():
            raise self.error(self.last, f'{token!r} is not a non-negative '
                             f'integer ({what})')
        return int(token)

    def joints(self, frame: int) -> np.ndarray:
        """The next 25 joint lines as float32 ``(25, 3)`` xyz."""
        xyz = np.empty((NUM_JOINTS, 3), dtype=np.float32)
        for joint in range(NUM_JOINTS):
            tokens = self.tokens(JOINT_VALUES, f'joint {joint} of frame '
                                 f'{frame}: x y z depthX depthY colorX '
                                 'colorY orientationWXYZ trackingState')
            try:
                xyz[joint] = [float(t) for t in tokens[:3]]
            except ValueError as err:
                raise self.error(self.last, f'not a number ({err})') from err
            if not np.isfinite(xyz[joint]).all():
                raise self.error(self.last, 'NaN or infinite joint '
                                 f'coordinate in frame {frame}')
        return xyz

    def next_content_line(self) -> Optional[int]:
        """Number of the first non-blank line after ``last``, or None."""
        for line in range(self.last + 1, len(self.lines) + 1):
            if self.lines[line - 1].strip():
                return line
        return None


def read_ntu_skeleton(path: str) -> Tuple[int, List[BodyTrack]]:
    """Read a raw NTU ``.skeleton`` file.

    Args:
        path: The ``.skeleton`` file.

    Returns:
        ``(T, tracks)``: the frame count and one :class:`BodyTrack` per
        ``bodyID``, in order of first appearance. An empty file reads as
        ``(0, [])``.

    Raises:
        RawDataError: a truncated file, a line with the wrong number of
            values, a joint count other than 25, non-numeric or NaN values,
            or content after the last frame; the message names the file and
            the line.
    """
    with open(path) as f:
        lines = f.read().splitlines()
    if not any(line.strip() for line in lines):
        return 0, []
    cursor = _LineCursor(path, lines)
    total_frames = cursor.integer('frame count')
    frames: Dict[str, List[int]] = {}
    joints: Dict[str, List[np.ndarray]] = {}
    for frame in range(total_frames):
        for _ in range(cursor.integer(f'body count of frame {frame}')):
            body_id = cursor.tokens(BODY_INFO_VALUES,
                                    f'body info of frame {frame}')[0]
            count = cursor.integer(f'joint count of frame {frame}')
            if count != NUM_JOINTS:
                raise cursor.error(cursor.last, f'joint count {count}, '
                                   f'expected {NUM_JOINTS} (NTU-25)')
            frames.setdefault(body_id, []).append(frame)
            joints.setdefault(body_id, []).append(cursor.joints(frame))
    extra = cursor.next_content_line()
    if extra is not None:
        raise cursor.error(extra, 'content after the '
                           f'{total_frames} declared frame(s)')
    tracks = [
        BodyTrack(body_id, np.asarray(frames[body_id], dtype=np.int64),
                  np.stack(joints[body_id])) for body_id in frames
    ]
    return total_frames, tracks


def select_bodies(tracks: Sequence[BodyTrack], total_frames: int,
                  max_bodies: int = MAX_BODIES) -> np.ndarray:
    """Keep the bodies of highest motion energy on a common frame axis.

    Args:
        tracks: The clip's bodies (first-seen order breaks energy ties).
        total_frames: ``T``.
        max_bodies: Bodies kept at most.

    Returns:
        float32 ``(M, T, 25, 3)``, ``M = min(len(tracks), max_bodies)``,
        highest energy first, zero in frames where a body is not tracked.
    """
    ranked = sorted(range(len(tracks)),
                    key=lambda i: (-tracks[i].motion_energy(), i))
    kept = [tracks[i] for i in ranked[:max_bodies]]
    keypoint = np.zeros((len(kept), total_frames, NUM_JOINTS, 3),
                        dtype=np.float32)
    for person, track in enumerate(kept):
        keypoint[person, track.frames] = track.joints
    return keypoint


def convert_skeleton_file(path: str,
                          max_bodies: int = MAX_BODIES
                          ) -> Tuple[Optional[dict], Optional[str]]:
    """One pretraining sample from a ``.skeleton`` file.

    Returns:
        ``(sample, None)`` with ``frame_dir``, ``total_frames`` and
        ``keypoint (M, T, 25, 3)``, or ``(None, reason)`` for a clip with
        no frame or no tracked body.
    """
    total_frames, tracks = read_ntu_skeleton(path)
    if total_frames == 0:
        return None, 'empty file (0 frames)'
    if not tracks:
        return None, f'no body tracked in any of its {total_frames} frames'
    sample = dict(frame_dir=osp.basename(path).split('.')[0],
                  total_frames=total_frames,
                  keypoint=select_bodies(tracks, total_frames, max_bodies))
    return sample, None


def read_ignore_list(path: str) -> List[str]:
    """Sample names (one per line, e.g. NTU's
    ``NTU_RGBD_samples_with_missing_skeletons.txt``) to leave out.

    Raises:
        RawDataError: the file does not exist.
    """
    if not osp.isfile(path):
        raise RawDataError(f'{path}: ignore list not found')
    with open(path) as f:
        return [line.split()[0].split('.')[0] for line in f if line.strip()]


def xsub_split_of(name: NTUSampleName,
                  train_subjects: Iterable[int] = XSUB_TRAIN_SUBJECTS
                  ) -> str:
    """``'train'`` for a training performer, else ``'val'``."""
    return 'train' if name.performer in set(train_subjects) else 'val'


def _beyond_note(count: int, kind: str, max_action: int) -> str:
    return (f'{count} {kind}(s) of actions A{max_action + 1:03d}+ left out '
            f'(not NTU-{max_action})')


def _pretraining_meta(source: str) -> dict:
    return dict(fps=FPS, layout='nturgb+d', source=source,
                split_protocol='xsub', pretraining_only=True,
                body_selection=BODY_SELECTION)


def convert_ntu_skeletons(skeleton_dir: str,
                          max_action: int = NTU60_ACTIONS,
                          train_subjects: Iterable[int] = XSUB_TRAIN_SUBJECTS,
                          ignore: Iterable[str] = (),
                          max_bodies: int = MAX_BODIES,
                          workers: int = 1
                          ) -> Tuple[dict, ConversionReport]:
    """Convert a folder of raw ``.skeleton`` files (xsub split).

    Args:
        skeleton_dir: Folder holding ``SsssCcccPpppRrrrAaaa.skeleton``.
        max_action: Highest action id kept (60 for NTU-60).
        train_subjects: Performer ids of the training split.
        ignore: Sample names to leave out (noted, not parsed).
        max_bodies: Bodies kept per clip (motion-energy rule).
        workers: Processes used to read the files.

    Returns:
        ``(data, report)``: the pretraining annotation dict (write it with
        :func:`~snippet_plugin.datasets.annotation.save_annotations`) and
        the skipped clips and notes.

    Raises:
        RawDataError: the folder does not exist, a file is malformed (named
            with its line), or no file gave a clip.
    """
    if not osp.isdir(skeleton_dir):
        raise RawDataError(f'{skeleton_dir}: skeleton folder not found')
    report = ConversionReport()
    ignored = set(ignore)
    files, beyond, skipped_ignored = [], 0, 0
    for file_name in sorted(os.listdir(skeleton_dir)):
        if not file_name.endswith('.skeleton'):
            continue
        try:
            name = NTUSampleName.parse(file_name)
        except ValueError as err:
            report.skip(file_name, str(err))
            continue
        if name.action > max_action:
            beyond += 1
        elif file_name.split('.')[0] in ignored:
            skipped_ignored += 1
        else:
            files.append((osp.join(skeleton_dir, file_name), name))
    if beyond:
        report.notes.append(_beyond_note(beyond, 'file', max_action))
    if skipped_ignored:
        report.notes.append(f'{skipped_ignored} file(s) on the ignore list '
                            'left out')
    results = map_with_progress(convert_skeleton_file,
                                [path for path, _ in files], workers,
                                max_bodies=max_bodies)
    annotations, split = [], dict(train=[], val=[])
    for (path, name), (sample, reason) in zip(files, results):
        if sample is None:
            report.skip(osp.basename(path), reason)
            continue
        annotations.append(sample)
        split[xsub_split_of(name, train_subjects)].append(sample['frame_dir'])
    example = (f', e.g. {report.skipped[0][0]}: {report.skipped[0][1]}'
               if report.skipped else '')
    refuse_empty(split, f'{skeleton_dir} ({len(files)} NTU-{max_action} '
                 f'.skeleton file(s) read, {len(report.skipped)} skipped'
                 f'{example})')
    data = dict(meta=_pretraining_meta('NTU RGB+D 60, raw .skeleton files'),
                split=split, annotations=annotations)
    return data, report


def convert_ntu_pickle(path: str, max_action: int = NTU60_ACTIONS
                       ) -> Tuple[dict, ConversionReport]:
    """Convert the pyskl / MMAction2 ``ntu60_3danno.pkl`` (xsub split).

    Keeps ``frame_dir``, ``total_frames`` and ``keypoint`` (as float32
    ``(M, T, V, C)``) of the samples in ``xsub_train`` / ``xsub_val``;
    drops ``label`` and every other field.

    Warning:
        Unpickling runs code chosen by whoever wrote the file. Only convert
        files from sources you trust.

    Raises:
        RawDataError: the file lacks ``split['xsub_train' / 'xsub_val']``
            or ``annotations``, or a split names an unknown sample.
    """
    with open(path, 'rb') as f:
        source = pickle.load(f)
    if not isinstance(source, dict) or 'annotations' not in source:
        raise RawDataError(f'{path}: expected a dict with "split" and '
                           '"annotations" (pyskl format)')
    splits = source.get('split', {})
    missing = [key for key in ('xsub_train', 'xsub_val') if key not in splits]
    if missing:
        raise RawDataError(f'{path}: split has no {missing}; found '
                           f'{sorted(splits)}')
    by_name = {a['frame_dir']: a for a in source['annotations']}
    report = ConversionReport()
    annotations, split, beyond = [], dict(train=[], val=[]), 0
    for key, target in (('xsub_train', 'train'), ('xsub_val', 'val')):
        for frame_dir in splits[key]:
            if frame_dir not in by_name:
                raise RawDataError(f'{path}, split {key!r}: unknown '
                                   f'frame_dir {frame_dir!r}')
            try:
                action = NTUSampleName.parse(frame_dir).action
            except ValueError as err:
                raise RawDataError(f'{path}, split {key!r}: {err}') from err
            if action > max_action:
                beyond += 1
                continue
            original = by_name[frame_dir]
            keypoint = np.asarray(original['keypoint'], dtype=np.float32)
            if keypoint.ndim != 4 or 0 in keypoint.shape[:2]:
                report.skip(frame_dir, f'empty keypoint, shape '
                            f'{keypoint.shape}')
                continue
            annotations.append(dict(frame_dir=frame_dir,
                                    total_frames=int(
                                        original['total_frames']),
                                    keypoint=keypoint))
            split[target].append(frame_dir)
    if beyond:
        report.notes.append(_beyond_note(beyond, 'sample', max_action))
    refuse_empty(split, path)
    data = dict(meta=_pretraining_meta(f'NTU RGB+D 60, {osp.basename(path)}'),
                split=split, annotations=annotations)
    return data, report

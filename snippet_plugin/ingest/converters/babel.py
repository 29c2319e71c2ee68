"""BABEL action labels on AMASS motion -> untrimmed annotation files
(format in :mod:`snippet_plugin.datasets.annotation`).

Inputs:

* BABEL JSON (``train.json``, ``val.json``; optionally ``extra_train.json``)
  ``{sid: {babel_sid, url, feat_p, dur, seq_ann, frame_ann}}``. ``frame_ann``
  is ``null`` for a sequence with a sequence-level label only, else
  ``{babel_lid, anntr_id, labels: [{raw_label, proc_label, seg_id,
  act_cat: [...], start_t, end_t}]}`` with times in seconds. The extra files
  hold ``seq_anns`` / ``frame_anns`` lists (several annotators); only their
  motion is used (pretraining), never their labels.
* AMASS (SMPL-H "G" release) ``.npz`` per sequence: ``poses (T, 156)``
  (axis-angle: root ``[:3]``, body ``[3:66]``, left hand ``[66:111]``,
  right hand ``[111:156]``), ``trans (T, 3)``, ``betas (16,)``, ``gender``
  (str/bytes) and ``mocap_framerate`` (``mocap_frame_rate`` also read).
  ``feat_p`` (e.g. ``CMU/CMU/02/02_01_poses.npz``) is looked up under the
  AMASS root by :func:`amass_candidates`.

Joints come from one of two :class:`JointSource` kinds:

* :class:`SMPLHJoints`: SMPL-H forward kinematics with the ``smplx`` package
  (optional dependency) and a user-provided body model, 73 joints mapped to
  NTU-25 by :data:`SMPLH73_TO_NTU25`. Defaults follow the public code: the
  male model, no shape (betas) and no translation.
* :class:`JointsFileJoints`: pre-extracted joints, a ``.npz`` or ``.pkl``
  mapping ``feat_p`` -> float ``(T, 25, 3)`` NTU-order joints, one row per
  frame of the AMASS file (``T`` = its ``poses`` rows, at its
  ``mocap_framerate``). The AMASS files are still read for that frame rate.

Stored joints are NOT normalised: metres, z up (the AMASS world frame; the
root orientation is applied), resampled to 30 fps. ``NormalizeSkeleton3D``
centres and rotates them online in the pipeline, as PAPER_NOTES' BABEL
preprocessing does offline.

Time (:func:`resample_plan`): source frame ``i`` is at ``i / f`` seconds
(``f`` = ``mocap_framerate``), output frame ``k`` at ``k / 30`` s for
``k = 0 .. T_out - 1`` with ``T_out = floor((T - 1) * 30 / f) + 1``: every
output time lies within the recording (no extrapolation, no frame beyond
the last sample), and joints are linearly interpolated between the two
neighbouring source frames.

Segments (:func:`label_segments`): a frame label ``[start_t, end_t]``
becomes ``[round(start_t * 30), round(end_t * 30))`` (half-open, halves
round up), clipped to ``[0, T_out]``; a segment empty after that is dropped
and counted. A label whose ``act_cat`` holds several subset classes gives
one segment per class, identical ``[start, end, class]`` rows are kept once.
Overlaps stay in ``segments``; ``frame_labels`` resolve them by
:func:`~snippet_plugin.datasets.annotation.derive_frame_labels` (the shorter
segment wins, then the lower class id). Every frame of the motion is kept,
annotated or not: a gap between labels is background and never shifts a
later label (the public code's truncation to annotated frames does).

Outputs of :func:`prepare_babel` (see its docstring): ``babel_pretrain.pkl``
and ``babel_subset{1,2,3}.pkl``, plus a report and the list of skipped
sequences.
"""
import contextlib
import hashlib
import io
import json
import os
import os.path as osp
import pickle
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from types import SimpleNamespace
from typing import Dict, List, Optional, Protocol, Sequence, Tuple

import numpy as np

from ...datasets.annotation import (derive_frame_labels, derive_video_labels,
                          save_annotations)
from .common import ConversionReport, RawDataError, map_with_progress

CONVERTER_VERSION = 1
"""Bumped whenever the same inputs would give different joints."""

TARGET_FPS = 30

SMPLH73_TO_NTU25 = (0, 3, 12, 15, 16, 18, 20, 22, 17, 19, 21, 37, 1, 4, 7, 10,
                    2, 5, 8, 11, 9, 63, 64, 68, 69)
"""Index into smplx's 73 SMPL-H outputs for each NTU-25 joint (the public
code's list).

smplx's SMPL-H output: 0-21 the body joints (SMPL order), 22-36 the left
hand and 37-51 the right hand (index1-3, middle1-3, pinky1-3, ring1-3,
thumb1-3 each), then vertices: 52-56 nose, right eye, left eye, right ear,
left ear; 57-62 left big toe, small toe, heel, right big toe, small toe,
heel; 63-67 left thumb, index, middle, ring, pinky tips; 68-72 the right
ones. NTU joint <- SMPL-H output:

====  ==============  =========================================
NTU   name            SMPL-H (smplx index, name)
====  ==============  =========================================
0     spine base      0 pelvis
1     spine mid       3 spine1
2     neck            12 neck
3     head            15 head
4     left shoulder   16 left_shoulder
5     left elbow      18 left_elbow
6     left wrist      20 left_wrist
7     left hand       22 left_index1
8     right shoulder  17 right_shoulder
9     right elbow     19 right_elbow
10    right wrist     21 right_wrist
11    right hand      37 right_index1
12    left hip        1 left_hip
13    left knee       4 left_knee
14    left ankle      7 left_ankle
15    left foot       10 left_foot
16    right hip       2 right_hip
17    right knee      5 right_knee
18    right ankle     8 right_ankle
19    right foot      11 right_foot
20    spine shoulder  9 spine3
21    left hand tip   63 left thumb tip (vertex 2746)
22    left thumb      64 left index tip (vertex 2319)
23    right hand tip  68 right thumb tip (vertex 6191)
24    right thumb     69 right index tip (vertex 5782)
====  ==============  =========================================

Note the last four: NTU's hand tip gets the thumb tip and NTU's thumb the
index tip. Kept as published, for comparable numbers.
"""

BABEL_SUBSETS = {
    1: ('walk', 'stand', 'turn', 'jump'),
    2: ('sit', 'run', 'stand up', 'kick'),
    3: ('jog', 'wave', 'dance', 'gesture'),
}
"""The paper's three 4-class subsets, in class-id order; names are BABEL
``act_cat`` values (matched case-insensitively)."""

AMASS_FOLDER_ALIASES = (
    ('BMLrub', 'BioMotionLab_NTroje'),
    ('DFaust', 'DFaust_67'),
    ('HDM05', 'MPI_HDM05'),
    ('PosePrior', 'MPI_Limits'),
    ('MoSh', 'MPI_mosh'),
    ('SSM', 'SSM_synced'),
    ('Transitions', 'Transitions_mocap'),
)
"""Names of one AMASS sub-dataset folder in BABEL's ``feat_p`` and in the
AMASS downloads (AMASS renamed these; either spelling is looked up)."""

GENDERS = ('male', 'female', 'neutral')
GENDER_CHOICES = GENDERS + ('from-file', )
MISSING_POLICIES = ('skip', 'error')
SUBSET_SEQUENCE_CHOICES = ('with-action', 'all')
SMPLH_POSE_DIM = 156
SMPLH_JOINTS = 52
FK_CHUNK = 256
"""Frames per SMPL-H forward pass (bounds the memory of skinning)."""

_TOLERANCE = 1e-6
"""Slack, in frames, for floating-point error in time -> frame maps."""

_REQUIRED_SMPLH_ARRAYS = ('v_template', 'shapedirs', 'posedirs',
                          'J_regressor', 'weights', 'kintree_table', 'f')


# BABEL JSON ------------------------------------------------------------------
@dataclass(frozen=True)
class BabelLabel:
    """One BABEL frame label: ``[start_t, end_t]`` seconds, action categories.
    """
    start_t: float
    end_t: float
    act_cat: Tuple[str, ...]


@dataclass(frozen=True)
class BabelSequence:
    """One BABEL sequence.

    Attributes:
        sid: BABEL sequence id (the JSON key), used as ``frame_dir``.
        feat_p: AMASS file path as BABEL spells it.
        split: ``'train'`` or ``'val'``.
        labels: The ``frame_ann`` labels, or ``None`` if the sequence has a
            sequence label only (or labels were not read).
    """
    sid: str
    feat_p: str
    split: str
    labels: Optional[Tuple[BabelLabel, ...]] = None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(
        value, bool) and np.isfinite(value)


def _parse_labels(block, where: str,
                  problems: List[str]) -> Tuple[BabelLabel, ...]:
    """The labels of a ``frame_ann`` dict; problems appended, named."""
    if not isinstance(block, dict) or not isinstance(block.get('labels'),
                                                     list):
        problems.append(f'{where}: must be null or a dict with a "labels" '
                        'list')
        return ()
    labels = []
    for index, label in enumerate(block['labels']):
        tag = f'{where}.labels[{index}]'
        if not isinstance(label, dict):
            problems.append(f'{tag}: must be a dict')
            continue
        bad = [k for k in ('start_t', 'end_t') if not _is_number(label.get(k))]
        categories = label.get('act_cat') or []
        if not isinstance(categories, list) or not all(
                isinstance(c, str) for c in categories):
            bad.append('act_cat')
        if bad:
            problems.append(f'{tag}: missing or invalid field(s) {bad}')
            continue
        labels.append(
            BabelLabel(float(label['start_t']), float(label['end_t']),
                       tuple(categories)))
    return tuple(labels)


def _valid_feat_p(feat_p) -> bool:
    if not isinstance(feat_p, str) or not feat_p:
        return False
    path = PurePosixPath(feat_p)
    return not path.is_absolute() and '..' not in path.parts


def read_babel_json(path: str, split: str,
                    with_labels: bool = True) -> List[BabelSequence]:
    """Read and check one BABEL JSON file.

    Args:
        path: The ``.json`` file.
        split: Split name given to its sequences.
        with_labels: Read ``frame_ann`` labels (dense files). ``False``
            reads only ids and ``feat_p`` (the extra files).

    Returns:
        The sequences in file order.

    Raises:
        RawDataError: naming the file, and the sequence and field of every
            problem found.
    """
    if not osp.isfile(path):
        raise RawDataError(f'{path}: BABEL annotation file not found')
    try:
        with open(path, encoding='utf-8') as f:
            raw = json.load(f)
    except json.JSONDecodeError as err:
        raise RawDataError(f'{path}: not valid JSON (line {err.lineno}, '
                           f'column {err.colno}: {err.msg})') from err
    except UnicodeDecodeError as err:
        raise RawDataError(f'{path}: not UTF-8 text ({err})') from err
    if not isinstance(raw, dict):
        raise RawDataError(f'{path}: top level must be an object '
                           f'{{sid: sequence}}, got {type(raw).__name__}')
    problems, sequences = [], []
    for sid, entry in raw.items():
        where = f'{path}, sequence {sid!r}'
        if not isinstance(entry, dict) or not _valid_feat_p(
                entry.get('feat_p')):
            problems.append(f'{where}: needs a relative path "feat_p"')
            continue
        labels = None
        if with_labels and entry.get('frame_ann') is not None:
            labels = _parse_labels(entry['frame_ann'], f'{where}, frame_ann',
                                   problems)
        sequences.append(BabelSequence(str(sid), entry['feat_p'], split,
                                       labels))
    if problems:
        shown = '\n'.join(problems[:20])
        more = f'\n... and {len(problems) - 20} more' if len(
            problems) > 20 else ''
        raise RawDataError(f'{len(problems)} problem(s) in {path}:\n'
                           f'{shown}{more}')
    return sequences


# AMASS files -----------------------------------------------------------------
def folder_aliases(name: str) -> Tuple[str, ...]:
    """``name`` and its other spellings (:data:`AMASS_FOLDER_ALIASES`)."""
    for group in AMASS_FOLDER_ALIASES:
        if name in group:
            return (name, ) + tuple(n for n in group if n != name)
    return (name, )


def amass_candidates(amass_root: str, feat_p: str) -> List[str]:
    """Where the AMASS file of ``feat_p`` may be, in lookup order.

    ``feat_p``'s first component is the sub-dataset folder (either spelling
    of :data:`AMASS_FOLDER_ALIASES`); the sub-dataset archives extract to a
    folder of that name, so ``root/<dataset>/<rest>`` and the doubled
    ``root/<dataset>/<dataset>/<rest>`` are both tried, whether ``feat_p``
    itself has the doubled folder (``CMU/CMU/02/...``) or not.
    """
    parts = PurePosixPath(feat_p).parts
    names = folder_aliases(parts[0])
    inner = parts[1:]
    if len(inner) > 1 and inner[0] in names:
        inner = inner[1:]
    candidates = []
    for outer in names:
        candidates.append(osp.join(amass_root, outer, *inner))
        candidates += [
            osp.join(amass_root, outer, second, *inner) for second in names
        ]
    return list(dict.fromkeys(candidates))


def find_amass_file(amass_root: str, feat_p: str) -> Optional[str]:
    """The first existing :func:`amass_candidates` path, else ``None``."""
    return next((path for path in amass_candidates(amass_root, feat_p)
                 if osp.isfile(path)), None)


@dataclass
class AmassMotion:
    """One AMASS sequence.

    Attributes:
        poses: float32 ``(T, P)`` axis-angle pose parameters.
        fps: ``mocap_framerate``.
        trans: float32 ``(T, 3)`` root translation, or ``None``.
        betas: float32 ``(B,)`` shape, or ``None``.
        gender: ``'male'``, ``'female'``, ``'neutral'``, or ``None``.
    """
    poses: np.ndarray
    fps: float
    trans: Optional[np.ndarray] = None
    betas: Optional[np.ndarray] = None
    gender: Optional[str] = None

    @property
    def num_frames(self) -> int:
        return len(self.poses)


def _decode_gender(value: np.ndarray) -> str:
    """``'male'`` from ``array('male')``, ``array(b'male')`` or ``[...]``."""
    item = np.asarray(value).reshape(-1)[0]
    if isinstance(item, bytes):
        item = item.decode()
    return str(item).strip().lower()


def read_amass_motion(path: str) -> AmassMotion:
    """Read an AMASS ``.npz`` (``poses`` and the frame rate required).

    Raises:
        RawDataError: naming ``path`` if it is unreadable, lacks a field or
            has no frames.
    """
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in f.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise RawDataError(f'{path}: unreadable AMASS file '
                           f'({type(err).__name__}: {err})') from err
    fps_key = next((k for k in ('mocap_framerate', 'mocap_frame_rate')
                    if k in arrays), None)
    if 'poses' not in arrays or fps_key is None:
        raise RawDataError(f'{path}: AMASS file needs "poses" and '
                           f'"mocap_framerate", has {sorted(arrays)}')
    poses = np.asarray(arrays['poses'], dtype=np.float32)
    fps = float(np.asarray(arrays[fps_key]).reshape(-1)[0])
    if poses.ndim != 2 or len(poses) == 0:
        raise RawDataError(f'{path}: "poses" must be (T, P) with T > 0, got '
                           f'shape {poses.shape}')
    if not fps > 0 or not np.isfinite(fps):
        raise RawDataError(f'{path}: invalid frame rate {fps}')
    return AmassMotion(
        poses=poses, fps=fps,
        trans=(np.asarray(arrays['trans'], dtype=np.float32)
               if 'trans' in arrays else None),
        betas=(np.asarray(arrays['betas'], dtype=np.float32).reshape(-1)
               if 'betas' in arrays else None),
        gender=(_decode_gender(arrays['gender'])
                if 'gender' in arrays else None))


# Time ------------------------------------------------------------------------
def resampled_length(num_frames: int, source_fps: float,
                     target_fps: float = TARGET_FPS) -> int:
    """``T_out = floor((T - 1) * target_fps / source_fps) + 1``: the output
    frames whose times ``k / target_fps`` lie within the recording."""
    return int(np.floor((num_frames - 1) * target_fps / source_fps +
                        _TOLERANCE)) + 1


@dataclass
class ResamplePlan:
    """Linear interpolation of ``T_out`` frames from a few source frames.

    Attributes:
        frames: int64 ``(N,)`` the source frames needed, ascending.
        lower: int64 ``(T_out,)`` index into ``frames`` of the frame at or
            before each output time.
        upper: int64 ``(T_out,)`` index into ``frames`` of the frame after
            it (``lower`` where the weight is 0).
        weight: float64 ``(T_out,)`` weight of ``upper``.
    """
    frames: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    weight: np.ndarray

    def apply(self, values: np.ndarray) -> np.ndarray:
        """``(N, ...)`` values at ``frames`` -> ``(T_out, ...)``."""
        weight = self.weight.reshape((-1, ) + (1, ) * (values.ndim - 1))
        return ((1 - weight) * values[self.lower] +
                weight * values[self.upper]).astype(values.dtype)


def resample_plan(num_frames: int, source_fps: float,
                  target_fps: float = TARGET_FPS) -> ResamplePlan:
    """Plan to resample ``num_frames`` frames at ``source_fps`` to
    ``target_fps``: output frame ``k`` is at source position
    ``p = k * source_fps / target_fps``, between frames ``floor(p)`` and
    ``floor(p) + 1`` with weight ``p - floor(p)`` (positions within
    :data:`_TOLERANCE` of a frame take that frame exactly)."""
    length = resampled_length(num_frames, source_fps, target_fps)
    position = np.arange(length) * source_fps / target_fps
    lower = np.minimum(np.floor(position + _TOLERANCE).astype(np.int64),
                       num_frames - 1)
    weight = position - lower
    weight = np.where(weight > _TOLERANCE, weight, 0.)
    upper = np.where(weight > 0, np.minimum(lower + 1, num_frames - 1),
                     lower)
    frames = np.unique(np.concatenate([lower, upper]))
    return ResamplePlan(frames, np.searchsorted(frames, lower),
                        np.searchsorted(frames, upper), weight)


def seconds_to_frame(seconds: float, fps: float = TARGET_FPS) -> int:
    """``round(seconds * fps)``, halves rounding up."""
    return int(np.floor(seconds * fps + 0.5 + _TOLERANCE))


def label_segments(labels: Sequence[BabelLabel], classes: Sequence[str],
                   total_frames: int,
                   fps: float = TARGET_FPS) -> Tuple[np.ndarray, int]:
    """Segments of the labels whose ``act_cat`` names one of ``classes``.

    Args:
        labels: Frame labels of one sequence.
        classes: Class names (ids = positions), matched case-insensitively.
        total_frames: ``T`` at ``fps``.
        fps: Frame rate of the output.

    Returns:
        ``(segments, dropped)``: int64 ``(S, 3)`` distinct rows ``[start,
        end, class_id]`` sorted, and the number of (label, class) pairs
        dropped because they are empty after rounding and clipping.
    """
    lookup = {name.lower(): class_id for class_id, name in enumerate(classes)}
    rows, dropped = set(), 0
    for label in labels:
        ids = {lookup[c.strip().lower()] for c in label.act_cat
               if c.strip().lower() in lookup}
        if not ids:
            continue
        start = min(max(seconds_to_frame(label.start_t, fps), 0),
                    total_frames)
        end = min(max(seconds_to_frame(label.end_t, fps), 0), total_frames)
        if end <= start:
            dropped += len(ids)
            continue
        rows.update((start, end, class_id) for class_id in ids)
    return np.array(sorted(rows), dtype=np.int64).reshape(-1, 3), dropped


# Joint sources ---------------------------------------------------------------
def _file_identity(path: str) -> dict:
    """What a cache must depend on for an input file."""
    stat = os.stat(path)
    return dict(path=osp.realpath(path), size=stat.st_size,
                mtime_ns=stat.st_mtime_ns)


def _joints_mapping(path: str) -> Tuple[object, frozenset]:
    """``(mapping, keys)`` of a joints file, opened once per process and
    file version."""
    return _open_joints_file(path, os.getpid(), os.stat(path).st_mtime_ns)


@lru_cache(maxsize=2)
def _open_joints_file(path: str, pid: int,
                      mtime_ns: int) -> Tuple[object, frozenset]:
    """``(mapping, keys)`` of a joints file (an ``NpzFile`` reads lazily).

    Keyed by ``pid`` too: a forked worker must not share the parent's file
    offset.
    """
    try:
        if path.endswith('.npz'):
            mapping = np.load(path, allow_pickle=False)
            return mapping, frozenset(mapping.files)
        with open(path, 'rb') as f:
            mapping = pickle.load(f)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile,
            pickle.UnpicklingError) as err:
        raise RawDataError(f'{path}: unreadable joints file '
                           f'({type(err).__name__}: {err})') from err
    if not isinstance(mapping, dict):
        raise RawDataError(f'{path}: a joints .pkl must hold a dict feat_p -> '
                           f'(T, 25, 3) array, got {type(mapping).__name__}')
    return mapping, frozenset(mapping)


@dataclass(frozen=True)
class JointsFileJoints:
    """Joints read from a pre-extracted joints file.

    The file is a ``.npz`` (keys = ``feat_p`` exactly as in BABEL, read
    lazily, one key at a time) or a ``.pkl`` dict (loaded whole); each value
    is float ``(T, 25, 3)``: NTU-25 joints in metres, z up, one row per
    frame of the AMASS file (``T`` = its ``poses`` rows, at its
    ``mocap_framerate``).

    Args:
        path: The joints file.
    """
    path: str

    @classmethod
    def open(cls, path: str) -> 'JointsFileJoints':
        """Check that ``path`` is a readable joints file."""
        if not osp.isfile(path):
            raise RawDataError(f'{path}: joints file not found')
        source = cls(path)
        source.keys()
        return source

    def keys(self) -> frozenset:
        """The ``feat_p`` values the file holds."""
        return _joints_mapping(self.path)[1]

    def settings(self) -> dict:
        return dict(kind='joints-file', file=_file_identity(self.path))

    def missing_reason(self, feat_p: str) -> Optional[str]:
        if feat_p in self.keys():
            return None
        return f'not in joints file {self.path}'

    def joints(self, feat_p: str, motion: AmassMotion,
               frames: np.ndarray) -> np.ndarray:
        """float32 ``(len(frames), 25, 3)`` joints of ``feat_p``."""
        joints = np.asarray(_joints_mapping(self.path)[0][feat_p])
        if joints.shape != (motion.num_frames, 25, 3):
            raise RawDataError(
                f'{self.path}, key {feat_p!r}: joints must be ('
                f'{motion.num_frames}, 25, 3) (one row per AMASS frame), got '
                f'{joints.shape}')
        return joints[frames].astype(np.float32)


def _import_smplx():
    try:
        import smplx
    except ImportError as err:
        raise RawDataError(
            'SMPL-H forward kinematics needs the optional package smplx: '
            'pip install "snippet_plugin[babel]" (or pip install smplx), or '
            'pass pre-extracted joints with --joints-file') from err
    return smplx


def smplh_model_candidates(model_path: str, gender: str) -> List[str]:
    """Files tried for the ``gender`` SMPL-H model under folder
    ``model_path``: smplx's ``smplh/SMPLH_MALE.pkl`` layout (also without
    ``smplh/``, also ``.npz``) and the AMASS/MANO ``smplh/male/model.npz``
    layout."""
    upper = f'SMPLH_{gender.upper()}'
    names = [f'{upper}.pkl', f'{upper}.npz', osp.join(gender, 'model.npz')]
    return [osp.join(model_path, folder, name)
            for folder in ('smplh', '') for name in names]


def resolve_smplh_models(model_path: str,
                         gender: str) -> Tuple[Tuple[str, str], ...]:
    """``((gender, file), ...)`` of the models ``gender`` needs.

    A file ``model_path`` serves a single fixed gender. ``'from-file'``
    needs the male and female models in a folder and takes the neutral one
    if present.

    Raises:
        RawDataError: listing the paths tried for a model not found.
    """
    if gender not in GENDER_CHOICES:
        raise RawDataError(f'gender must be one of {GENDER_CHOICES}, got '
                           f'{gender!r}')
    if osp.isfile(model_path):
        if gender == 'from-file':
            raise RawDataError(
                f'{model_path}: --gender from-file needs a folder holding '
                'the male and female models, not one model file')
        return ((gender, model_path), )
    if not osp.isdir(model_path):
        raise RawDataError(f'{model_path}: SMPL-H body model not found')
    wanted = ('male', 'female', 'neutral') if gender == 'from-file' else (
        gender, )
    models = []
    for name in wanted:
        candidates = smplh_model_candidates(model_path, name)
        found = next((c for c in candidates if osp.isfile(c)), None)
        if found is not None:
            models.append((name, found))
        elif not (gender == 'from-file' and name == 'neutral'):
            raise RawDataError(
                f'{model_path}: no {name} SMPL-H body model; tried '
                + ', '.join(candidates))
    return tuple(models)


@lru_cache(maxsize=3)
def read_smplh_arrays(path: str) -> Dict[str, np.ndarray]:
    """The arrays of an SMPL-H model file, checked.

    Accepts smplx's chumpy-free ``SMPLH_*.pkl`` and the AMASS/MANO
    ``model.npz``. Hand PCA arrays (unused: full hand poses, flat hand mean)
    are zero-filled when the file lacks them.

    Raises:
        RawDataError: naming ``path`` if it cannot be read or is not an
            SMPL-H model.
    """
    try:
        if path.endswith('.npz'):
            with np.load(path, allow_pickle=True) as f:
                raw = {key: f[key] for key in f.files}
        else:
            with open(path, 'rb') as f:
                raw = dict(pickle.load(f, encoding='latin1'))
    except ModuleNotFoundError as err:
        raise RawDataError(
            f'{path}: the model pickle needs module {err.name!r}; use a '
            'chumpy-free model (the AMASS "Extended SMPL+H" model.npz, or '
            "smplx's tools/clean_ch.py)") from err
    except (OSError, ValueError, EOFError, TypeError, zipfile.BadZipFile,
            pickle.UnpicklingError) as err:
        raise RawDataError(f'{path}: unreadable SMPL-H model '
                           f'({type(err).__name__}: {err})') from err
    missing = [k for k in _REQUIRED_SMPLH_ARRAYS if k not in raw]
    if missing:
        raise RawDataError(f'{path}: not an SMPL-H model, missing {missing}')
    arrays = {
        key: np.asarray(value.toarray() if hasattr(value, 'toarray') else
                        value)
        for key, value in raw.items() if key in _REQUIRED_SMPLH_ARRAYS
    }
    if arrays['J_regressor'].shape[0] != SMPLH_JOINTS:
        raise RawDataError(
            f'{path}: not an SMPL-H model ({arrays["J_regressor"].shape[0]} '
            f'joints, SMPL-H has {SMPLH_JOINTS})')
    for side in 'lr':
        arrays[f'hands_components{side}'] = np.asarray(
            raw.get(f'hands_components{side}', np.zeros((45, 45))))
        arrays[f'hands_mean{side}'] = np.asarray(
            raw.get(f'hands_mean{side}', np.zeros(45)))
    return arrays


@lru_cache(maxsize=3)
def _smplh_layer(path: str, gender: str):
    """An smplx SMPL-H model of the file (one per process and file)."""
    smplx = _import_smplx()
    arrays = read_smplh_arrays(path)
    with contextlib.redirect_stdout(io.StringIO()):  # smplx's 10-beta note
        return smplx.SMPLH(path, data_struct=SimpleNamespace(**arrays),
                           gender=gender, use_pca=False,
                           flat_hand_mean=True)


@dataclass(frozen=True)
class SMPLHJoints:
    """NTU-25 joints by SMPL-H forward kinematics (smplx).

    Per frame, ``poses`` is split into root orientation ``[:3]``, body
    ``[3:66]`` and the two hands ``[66:111]``, ``[111:156]`` (full
    axis-angle hand poses, so ``use_pca=False``; no hand mean is added,
    ``flat_hand_mean=True``, as AMASS poses are absolute). The 73 outputs
    are mapped by :data:`SMPLH73_TO_NTU25`. smplx caps an SMPL-H model at 10
    shape coefficients; with ``use_betas`` all of the file's betas (up to
    the model's shape components) are applied to the template directly.

    Args:
        models: ``((gender, model file), ...)`` from
            :func:`resolve_smplh_models`.
        gender: A fixed gender, or ``'from-file'`` (the AMASS file's).
        use_betas: Apply the file's body shape (default: mean shape).
        with_translation: Add the file's root translation ``trans``
            (default: none, the root stays near the origin).
    """
    models: Tuple[Tuple[str, str], ...]
    gender: str = 'male'
    use_betas: bool = False
    with_translation: bool = False

    @classmethod
    def open(cls, model_path: str, gender: str = 'male',
             use_betas: bool = False,
             with_translation: bool = False) -> 'SMPLHJoints':
        """Find and check every model needed before any work starts.

        Raises:
            RawDataError: smplx missing, or a model missing or unreadable.
        """
        models = resolve_smplh_models(model_path, gender)
        _import_smplx()
        for _, path in models:
            read_smplh_arrays(path)
        return cls(models, gender, use_betas, with_translation)

    def settings(self) -> dict:
        return dict(kind='smplh', gender=self.gender,
                    use_betas=self.use_betas,
                    with_translation=self.with_translation,
                    joint_map=list(SMPLH73_TO_NTU25),
                    models={g: _file_identity(p) for g, p in self.models})

    def missing_reason(self, feat_p: str) -> Optional[str]:
        return None

    def model_file(self, motion: AmassMotion, where: str) -> Tuple[str, str]:
        """``(gender, file)`` of the model for ``motion``."""
        gender = motion.gender if self.gender == 'from-file' else self.gender
        files = dict(self.models)
        if gender not in files:
            raise RawDataError(f'{where}: gender {gender!r} has no SMPL-H '
                               f'model (have {sorted(files)})')
        return gender, files[gender]

    def joints(self, feat_p: str, motion: AmassMotion,
               frames: np.ndarray) -> np.ndarray:
        """float32 ``(len(frames), 25, 3)`` joints of ``motion``."""
        import torch
        if motion.poses.shape[1] != SMPLH_POSE_DIM:
            raise RawDataError(f'{feat_p}: SMPL-H poses need '
                               f'{SMPLH_POSE_DIM} values per frame, got '
                               f'{motion.poses.shape[1]}')
        needed = (['trans'] if self.with_translation else []) + (
            ['betas'] if self.use_betas else []) + (
                ['gender'] if self.gender == 'from-file' else [])
        absent = [k for k in needed if getattr(motion, k) is None]
        if absent:
            raise RawDataError(f'{feat_p}: AMASS file lacks {absent}')
        gender, path = self.model_file(motion, feat_p)
        layer = _smplh_layer(path, gender)
        arrays = read_smplh_arrays(path)
        template = arrays['v_template'].astype(np.float64)
        if self.use_betas:
            count = min(len(motion.betas), arrays['shapedirs'].shape[-1])
            template = template + arrays['shapedirs'][..., :count] @ \
                motion.betas[:count].astype(np.float64)
        layer.v_template = torch.as_tensor(template, dtype=torch.float32)
        poses = torch.as_tensor(motion.poses[frames])
        trans = torch.as_tensor(motion.trans[frames]) if \
            self.with_translation else torch.zeros(len(frames), 3)
        chunks = []
        with torch.no_grad():
            for first in range(0, len(frames), FK_CHUNK):
                pose = poses[first:first + FK_CHUNK]
                output = layer(
                    betas=torch.zeros(len(pose), layer.num_betas),
                    global_orient=pose[:, :3], body_pose=pose[:, 3:66],
                    left_hand_pose=pose[:, 66:111],
                    right_hand_pose=pose[:, 111:156],
                    transl=trans[first:first + FK_CHUNK], return_verts=False)
                chunks.append(output.joints[:, list(SMPLH73_TO_NTU25)].numpy())
        return np.concatenate(chunks).astype(np.float32)


class JointSource(Protocol):
    """Where joints come from: :class:`SMPLHJoints` or
    :class:`JointsFileJoints` (picklable, so workers can use it)."""

    def settings(self) -> dict:
        """Everything the joints depend on (keys the joint cache)."""

    def missing_reason(self, feat_p: str) -> Optional[str]:
        """Why ``feat_p`` cannot be converted, or ``None``."""

    def joints(self, feat_p: str, motion: AmassMotion,
               frames: np.ndarray) -> np.ndarray:
        """float32 ``(len(frames), 25, 3)`` joints at source ``frames``."""


# Joint cache and extraction --------------------------------------------------
def save_array_atomic(path: str, array: np.ndarray) -> None:
    """``np.save`` to a temporary sibling, then rename (never half-written).
    """
    folder = osp.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            np.save(f, array)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class JointCache:
    """Per-sequence 30-fps joints ``(T_out, 25, 3)`` float32 ``.npy`` files.

    Files live in ``root/<tag>/<feat_p without .npz>.npy``, where ``tag``
    hashes the joint source's settings (and :data:`CONVERTER_VERSION`), so
    other settings never reuse them; ``settings.json`` beside them says
    which. A file exists only once complete (atomic writes), so a rerun
    skips exactly the finished sequences.
    """

    def __init__(self, root: str, settings: dict) -> None:
        settings = dict(settings, fps=TARGET_FPS, version=CONVERTER_VERSION)
        text = json.dumps(settings, sort_keys=True)
        tag = hashlib.sha1(text.encode()).hexdigest()[:12]
        self.folder = osp.join(root, tag)
        os.makedirs(self.folder, exist_ok=True)
        with open(osp.join(self.folder, 'settings.json'), 'w') as f:
            f.write(text)

    def path(self, feat_p: str) -> str:
        return osp.join(self.folder,
                        str(PurePosixPath(feat_p).with_suffix('.npy')))

    def has(self, feat_p: str) -> bool:
        return osp.isfile(self.path(feat_p))

    def load(self, feat_p: str) -> np.ndarray:
        return np.load(self.path(feat_p))

    def num_frames(self, feat_p: str) -> int:
        return len(np.load(self.path(feat_p), mmap_mode='r'))


@dataclass(frozen=True)
class ExtractionTask:
    """One sequence to extract: read, joints, resample, cache."""
    feat_p: str
    amass_path: str
    cache_path: str
    source: JointSource


def extract_to_cache(task: ExtractionTask,
                     torch_threads: Optional[int] = None) -> str:
    """Write the 30-fps joints of ``task`` to its cache file.

    Only the source frames the interpolation uses are computed.

    Args:
        task: The sequence.
        torch_threads: Threads for torch in this process (1 in workers).

    Returns:
        ``task.feat_p``.

    Raises:
        RawDataError: naming the file at fault.
    """
    if torch_threads is not None:
        import torch
        torch.set_num_threads(torch_threads)
    motion = read_amass_motion(task.amass_path)
    plan = resample_plan(motion.num_frames, motion.fps)
    joints = task.source.joints(task.feat_p, motion, plan.frames)
    if not np.isfinite(joints).all():
        raise RawDataError(f'{task.amass_path}: non-finite joints')
    save_array_atomic(task.cache_path, plan.apply(joints))
    return task.feat_p


# Annotation files ------------------------------------------------------------
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
    segments, dropped = label_segments(sequence.labels, classes, frames)
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
                 cache: JointCache, meta: dict,
                 subset_sequences: str = 'with-action'
                 ) -> Tuple[dict, FileSummary]:
    """The annotation dict of one subset and its summary.

    Args:
        subset: 1, 2 or 3 (:data:`BABEL_SUBSETS`).
        sequences: Candidate sequences (those with ``labels``; all cached).
        cache: Their joints.
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
        sample, dropped = subset_sample(sequence, cache.load(sequence.feat_p),
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


def build_pretrain(sequences: Sequence[BabelSequence], cache: JointCache,
                   meta: dict) -> Tuple[dict, FileSummary]:
    """The unlabelled pretraining annotation dict (split ``train``)."""
    summary = FileSummary('babel_pretrain.pkl', ())
    _count_split(summary, 'train')
    samples = []
    for sequence in sequences:
        keypoint = cache.load(sequence.feat_p)
        samples.append(dict(frame_dir=sequence.sid, feat_p=sequence.feat_p,
                            total_frames=len(keypoint),
                            keypoint=keypoint[None]))
        _count_split(summary, 'train', samples[-1])
    data = dict(meta=dict(meta, classes=[]),
                split={'train': [s.sid for s in sequences]},
                annotations=samples)
    return data, summary


# Orchestration ---------------------------------------------------------------
@dataclass
class PrepareResult:
    """What :func:`prepare_babel` wrote and left out.

    Attributes:
        files: Written annotation file paths by name.
        summaries: Their statistics.
        report: Skipped sequences (``sid``, reason) and notes.
        extracted: AMASS files whose joints were computed in this run.
        cached: AMASS files whose joints came from the cache.
        missing_list: Path of the skipped-sequences text file.
    """
    files: Dict[str, str]
    summaries: List[FileSummary]
    report: ConversionReport
    extracted: int
    cached: int
    missing_list: str


def read_babel_splits(babel_dir: str, with_extra: bool = False
                      ) -> Tuple[List[BabelSequence], List[BabelSequence],
                                 List[BabelSequence]]:
    """``(train, val, extra)`` sequences of a BABEL release folder.

    ``extra`` holds the ``extra_train.json`` sequences (ids and motion only)
    that are not already in ``train.json`` or ``val.json`` by ``sid`` or
    ``feat_p``; it is empty unless ``with_extra``.

    Raises:
        RawDataError: a file is missing or malformed, or a ``sid`` is in
            both ``train.json`` and ``val.json``.
    """
    train_file = osp.join(babel_dir, 'train.json')
    val_file = osp.join(babel_dir, 'val.json')
    train = read_babel_json(train_file, 'train')
    val = read_babel_json(val_file, 'val')
    shared = sorted({s.sid for s in train} & {s.sid for s in val})
    if shared:
        raise RawDataError(f'{train_file} and {val_file} share '
                           f'{len(shared)} sequence id(s), e.g. {shared[0]!r}')
    if not with_extra:
        return train, val, []
    known = {s.sid for s in train + val} | {s.feat_p for s in train + val}
    extra = read_babel_json(
        osp.join(babel_dir, 'extra_train.json'), 'train', with_labels=False)
    return train, val, [
        s for s in extra if s.sid not in known and s.feat_p not in known
    ]


def locate_motion(sequences: Sequence[BabelSequence], amass_root: str,
                  source: JointSource
                  ) -> Tuple[Dict[str, str], Dict[str, str]]:
    """``({feat_p: AMASS file}, {feat_p: why it is missing})``."""
    found, missing = {}, {}
    for feat_p in dict.fromkeys(s.feat_p for s in sequences):
        path = find_amass_file(amass_root, feat_p)
        if path is None:
            tried = amass_candidates(amass_root, feat_p)
            missing[feat_p] = f'no AMASS file (tried {", ".join(tried)})'
        elif source.missing_reason(feat_p) is not None:
            missing[feat_p] = source.missing_reason(feat_p)
        else:
            found[feat_p] = path
    return found, missing


def prepare_babel(babel_dir: str,
                  amass_root: str,
                  out_dir: str,
                  source: JointSource,
                  cache_dir: Optional[str] = None,
                  workers: int = 1,
                  on_missing: str = 'skip',
                  max_frames: Optional[int] = None,
                  subset_sequences: str = 'with-action',
                  with_extra: bool = False,
                  annotation_suffix: str = '.pkl') -> PrepareResult:
    """Convert BABEL + AMASS into the pretraining and three subset files.

    Files written to ``out_dir``:

    * ``babel_pretrain.pkl``: every ``train.json`` sequence (with or
      without frame labels; plus, with ``with_extra``, the new
      ``extra_train.json`` sequences), no labels, split ``train``;
    * ``babel_subset{1,2,3}.pkl``: the sequences with ``frame_ann`` of
      ``train.json`` (split ``train``) and ``val.json`` (split ``val``), the
      subset's 4 classes, background elsewhere (which sequences: see
      :func:`build_subset`);
    * ``babel_missing.txt``: one line ``sid<TAB>feat_p<TAB>reason`` per
      skipped sequence (empty if none).

    Args:
        babel_dir: Folder with ``train.json``, ``val.json`` (and
            ``extra_train.json`` with ``with_extra``).
        amass_root: Folder of the extracted AMASS sub-datasets.
        out_dir: Output folder.
        source: :class:`SMPLHJoints` or :class:`JointsFileJoints`.
        cache_dir: Joint cache folder (default ``out_dir/joints_cache``).
        workers: Extraction processes.
        on_missing: ``'skip'`` sequences without AMASS file (listed), or
            ``'error'`` before any extraction.
        max_frames: Drop sequences longer than this at 30 fps (the public
            code drops > 1000); ``None`` keeps all.
        subset_sequences: ``'with-action'`` or ``'all'``, see
            :func:`build_subset`.
        with_extra: Add ``extra_train.json`` motion to pretraining.
        annotation_suffix: ``'.pkl'``, or ``'.npz'`` for the pickle-free
            format; replaces the ``.pkl`` of the file names above.

    Raises:
        RawDataError: naming the file at fault.
    """
    if on_missing not in MISSING_POLICIES:
        raise ValueError(f'on_missing must be one of {MISSING_POLICIES}')
    if subset_sequences not in SUBSET_SEQUENCE_CHOICES:
        raise ValueError('subset_sequences must be one of '
                         f'{SUBSET_SEQUENCE_CHOICES}')
    train, val, extra = read_babel_splits(babel_dir, with_extra)
    pretrain = train + extra
    labelled = [s for s in train + val if s.labels is not None]
    needed = list({s.sid: s for s in pretrain + labelled}.values())
    found, missing = locate_motion(needed, amass_root, source)
    excluded = {s.sid: missing[s.feat_p] for s in needed
                if s.feat_p in missing}
    if missing and on_missing == 'error':
        lines = [f'  {sid}: {why}' for sid, why in list(excluded.items())[:20]]
        raise RawDataError(
            f'{len(missing)} AMASS file(s) missing under {amass_root} '
            f'({len(excluded)} sequence(s)); nothing was extracted. Use '
            '--on-missing skip to leave them out.\n' + '\n'.join(lines))

    cache = JointCache(cache_dir or osp.join(out_dir, 'joints_cache'),
                       source.settings())
    tasks = [
        ExtractionTask(feat_p, path, cache.path(feat_p), source)
        for feat_p, path in found.items() if not cache.has(feat_p)
    ]
    map_with_progress(extract_to_cache, tasks, workers,
                      torch_threads=1 if workers > 1 else None)
    if max_frames is not None:
        for sequence in needed:
            if sequence.sid in excluded:
                continue
            frames = cache.num_frames(sequence.feat_p)
            if frames > max_frames:
                excluded[sequence.sid] = (f'{frames} frames > max_frames '
                                          f'{max_frames}')

    meta = dict(fps=TARGET_FPS, layout='nturgb+d', dataset='BABEL',
                units='m', up_axis='z', normalised=False,
                joint_source=source.settings(), max_frames=max_frames,
                converter_version=CONVERTER_VERSION)
    builds = [
        build_pretrain([s for s in pretrain if s.sid not in excluded], cache,
                       meta)
    ]
    kept_labelled = [s for s in labelled if s.sid not in excluded]
    builds += [
        build_subset(subset, kept_labelled, cache, meta, subset_sequences)
        for subset in BABEL_SUBSETS
    ]
    files = {}
    for data, summary in builds:
        name = osp.splitext(summary.name)[0] + annotation_suffix
        files[summary.name] = osp.join(out_dir, name)
        save_annotations(data, files[summary.name])
    report = ConversionReport()
    for sid, why in excluded.items():
        report.skip(sid, why)
    report.notes.append(
        f'{len(found)} AMASS file(s) used: {len(tasks)} extracted now, '
        f'{len(found) - len(tasks)} from the cache {cache.folder}')
    missing_list = osp.join(out_dir, 'babel_missing.txt')
    feat_ps = {s.sid: s.feat_p for s in needed}
    with open(missing_list, 'w') as f:
        f.writelines(f'{sid}\t{feat_ps[sid]}\t{why}\n'
                     for sid, why in excluded.items())
    return PrepareResult(files, [summary for _, summary in builds], report,
                         len(tasks), len(found) - len(tasks), missing_list)


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


__all__ = [
    'TARGET_FPS', 'SMPLH73_TO_NTU25', 'BABEL_SUBSETS', 'AMASS_FOLDER_ALIASES',
    'BabelLabel', 'BabelSequence', 'read_babel_json', 'folder_aliases',
    'amass_candidates', 'find_amass_file', 'AmassMotion', 'read_amass_motion',
    'resampled_length', 'ResamplePlan', 'resample_plan', 'seconds_to_frame',
    'label_segments', 'JointsFileJoints', 'SMPLHJoints',
    'smplh_model_candidates', 'resolve_smplh_models', 'read_smplh_arrays',
    'JointCache', 'ExtractionTask', 'extract_to_cache', 'FileSummary',
    'multi_label_frames', 'subset_sample', 'build_subset', 'build_pretrain',
    'JointSource', 'PrepareResult', 'read_babel_splits', 'locate_motion',
    'prepare_babel', 'format_summary'
]

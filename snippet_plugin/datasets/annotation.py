"""The untrimmed skeleton annotation format: frame labels, validation, I/O.

An annotation is a dict (a superset of the pyskl / MMAction2
``PoseDataset`` format)::

    {'meta': {'classes': [...], 'fps': 30, 'layout': 'nturgb+d', ...},
     'split': {'train': [frame_dir, ...], 'val': [...], ...},
     'annotations': [{
         'frame_dir': str,
         'total_frames': T,
         'keypoint': float32 (M, T, V, C),     # persons, frames, joints, xyz
         'segments': [[start, end, class_id], ...],   # half-open [start, end)
         'frame_labels': int64 (T,),           # derived from ``segments``
         'label': [class ids present],         # video-level (weak) labels
     }, ...]}

Conventions:

* Intervals are half-open frame ranges ``[start, end)`` at ``meta['fps']``.
* ``meta['classes']`` lists the ``K`` action classes with ids ``0..K-1``;
  the background id is ``K`` and ``-1`` marks an unlabelled frame.
* ``segments`` is the source of truth. ``frame_labels`` and ``label`` are
  derived from it by :func:`derive_frame_labels` / :func:`derive_video_labels`.
* A sample without ``segments`` is valid for pretraining only.

Two file formats hold it, chosen by the file name's suffix:

* ``.pkl``: the dict pickled (the pyskl / MMAction2 convention). Loading a
  pickle runs code chosen by whoever wrote it: trusted sources only.
* ``.npz``: the safe format, read with ``np.load(allow_pickle=False)`` and
  ``json``, so loading never runs code. One NumPy ``.npz`` archive holds

  - ``__annotation__.json``: a 0-d unicode array, the annotation dict as
    JSON with every array replaced by a reference ``{"__array__": KEY}``
    (numpy scalars become JSON numbers, tuples become lists);
  - one array per reference, ``KEY`` = the field's path in the dict, e.g.
    ``annotations/3/keypoint``, ``annotations/3/frame_labels`` (sample
    index, not ``frame_dir``, so any name is safe). Object arrays are
    refused on save and on load.

  One file (rather than a ``.json`` + ``.npz`` pair) is written atomically
  and cannot drift from its arrays; a reference without its array is still
  detected on load and reported by file, sample and field.
"""
import json
import os.path as osp
import pickle
import zipfile
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ..utils.atomic_io import atomic_open

NTU25_JOINT_NAMES = (
    'spine_base', 'spine_mid', 'neck', 'head', 'left_shoulder', 'left_elbow',
    'left_wrist', 'left_hand', 'right_shoulder', 'right_elbow', 'right_wrist',
    'right_hand', 'left_hip', 'left_knee', 'left_ankle', 'left_foot',
    'right_hip', 'right_knee', 'right_ankle', 'right_foot', 'spine_shoulder',
    'left_hand_tip', 'left_thumb', 'right_hand_tip', 'right_thumb')
"""Joint names of the 25-joint NTU RGB+D layout (``layout='nturgb+d'``)."""

NTU25_BONES = ((1, 0), (20, 1), (2, 20), (3, 2), (4, 20), (5, 4), (6, 5),
               (7, 6), (8, 20), (9, 8), (10, 9), (11, 10), (12, 0), (13, 12),
               (14, 13), (15, 14), (16, 0), (17, 16), (18, 17), (19, 18),
               (21, 7), (22, 7), (23, 11), (24, 11))
"""``(child, parent)`` joint pairs of the NTU-25 kinematic tree."""

NTU25_FLIP_PAIRS = ((4, 8), (5, 9), (6, 10), (7, 11), (12, 16), (13, 17),
                    (14, 18), (15, 19), (21, 23), (22, 24))
"""``(left, right)`` joint pairs swapped by a left-right mirror."""

NUM_JOINTS = {'nturgb+d': 25}
"""Joints per skeleton for each supported ``meta['layout']``."""

UNLABELLED = -1
"""Frame label of a frame that carries no supervision."""

REQUIRED_SAMPLE_FIELDS = ('frame_dir', 'total_frames', 'keypoint')

ANNOTATION_FORMATS = ('.pkl', '.npz')
"""File suffixes :func:`load_annotations` / :func:`save_annotations` accept."""

NPZ_JSON_KEY = '__annotation__.json'
"""Member of a ``.npz`` annotation holding the JSON part."""

ARRAY_REF = '__array__'
"""JSON key of a reference to an array member of a ``.npz`` annotation."""


class AnnotationError(ValueError):
    """An annotation file or sample breaks the format.

    The message names the file, the sample (``frame_dir`` or index) and the
    field at fault, one problem per line.
    """


class AnnotationFileNotFoundError(AnnotationError):
    """The annotation file does not exist: the dataset is not prepared yet.

    Attributes:
        path: The missing file, as given.
    """

    def __init__(self, path: str) -> None:
        super().__init__(f'{path}: annotation file not found')
        self.path = path


def derive_frame_labels(segments: Sequence[Sequence[int]], total_frames: int,
                        num_classes: int) -> np.ndarray:
    """Frame labels ``(T,)`` from half-open segments.

    Frames that no segment covers get the background id ``num_classes``.
    Where segments overlap, the shorter segment wins (the more specific
    action); among equally long ones the lower class id wins. The rule is
    explicit so that a frame never takes an arbitrary label; the full
    multi-label truth stays in ``segments``.

    Args:
        segments: ``(S, 3)`` rows ``[start, end, class_id]``, ``[start, end)``.
        total_frames: Sequence length ``T``.
        num_classes: Number of action classes ``K``.

    Returns:
        int64 array ``(T,)`` with values in ``[0, K]``.
    """
    labels = np.full(total_frames, num_classes, dtype=np.int64)
    if len(segments) == 0:
        return labels
    rows = np.asarray(segments, dtype=np.int64).reshape(-1, 3)
    lengths = rows[:, 1] - rows[:, 0]
    # Paint longest first so that shorter (then lower-id) segments overwrite.
    order = np.lexsort((-rows[:, 2], -lengths))
    for start, end, class_id in rows[order]:
        labels[start:end] = class_id
    return labels


def derive_video_labels(segments: Sequence[Sequence[int]]) -> List[int]:
    """Sorted distinct class ids present in ``segments`` (weak labels)."""
    if len(segments) == 0:
        return []
    rows = np.asarray(segments, dtype=np.int64).reshape(-1, 3)
    return sorted(int(c) for c in np.unique(rows[:, 2]))


def _sample_problems(sample: dict, where: str, num_classes: Optional[int],
                     num_joints: Optional[int]) -> List[str]:
    """Every format problem of one annotation sample, one message each."""
    missing = [f for f in REQUIRED_SAMPLE_FIELDS if f not in sample]
    if missing:
        return [f'{where}: missing field(s) {missing}']
    problems = []
    total_frames = sample['total_frames']
    keypoint = sample['keypoint']
    if not isinstance(total_frames, (int, np.integer)) or total_frames <= 0:
        problems.append(f'{where}, field "total_frames": must be a positive '
                        f'integer, got {total_frames!r} (empty sequence)')
    if not isinstance(keypoint, np.ndarray) or keypoint.ndim != 4:
        shape = getattr(keypoint, 'shape', type(keypoint).__name__)
        problems.append(f'{where}, field "keypoint": must be an array of '
                        f'shape (M, T, V, C), got {shape}')
        return problems
    persons, frames, joints, channels = keypoint.shape
    if frames == 0 or persons == 0:
        problems.append(f'{where}, field "keypoint": empty sequence, shape '
                        f'{keypoint.shape}')
    if frames != total_frames:
        problems.append(f'{where}, field "total_frames": {total_frames} does '
                        f'not match keypoint frames {frames}')
    if num_joints is not None and joints != num_joints:
        problems.append(f'{where}, field "keypoint": {joints} joints, the '
                        f'layout needs {num_joints}')
    if channels not in (2, 3):
        problems.append(f'{where}, field "keypoint": {channels} coordinates '
                        'per joint, expected 3 (xyz) or 2 (xy)')
    if not np.issubdtype(keypoint.dtype, np.floating):
        problems.append(f'{where}, field "keypoint": dtype {keypoint.dtype}, '
                        'expected float')
    elif not np.isfinite(keypoint).all():
        bad = np.argwhere(~np.isfinite(keypoint))
        frames_hit = np.unique(bad[:, 1])
        problems.append(f'{where}, field "keypoint": {len(bad)} non-finite '
                        f'(NaN/inf) values in {len(frames_hit)} frame(s), '
                        f'first at frame {int(frames_hit[0])}')
    if 'segments' in sample:
        problems += _segment_problems(sample['segments'], where, frames,
                                      num_classes)
        if 'frame_labels' in sample and not problems:
            problems += _frame_label_problems(sample, where, num_classes)
    return problems


def _segment_problems(segments, where: str, total_frames: int,
                      num_classes: Optional[int]) -> List[str]:
    """Problems of a ``segments`` list: range, ordering and class ids."""
    rows = np.asarray(segments).reshape(-1, 3) if len(segments) else \
        np.zeros((0, 3), dtype=np.int64)
    if not np.issubdtype(rows.dtype, np.integer):
        return [f'{where}, field "segments": frame indices must be '
                f'integers, got dtype {rows.dtype}']
    problems = []
    for i, (start, end, class_id) in enumerate(rows.tolist()):
        tag = f'{where}, field "segments"[{i}] = [{start}, {end}, {class_id}]'
        if end <= start:
            problems.append(f'{tag}: end <= start')
        if start < 0 or end > total_frames:
            problems.append(f'{tag}: outside the sequence [0, {total_frames})')
        if class_id < 0 or (num_classes is not None
                            and class_id >= num_classes):
            problems.append(f'{tag}: unknown class id {class_id} '
                            f'({num_classes} classes)')
    return problems


def _frame_label_problems(sample: dict, where: str,
                          num_classes: Optional[int]) -> List[str]:
    """Problems of ``frame_labels`` / ``label`` against ``segments``."""
    frame_labels = np.asarray(sample['frame_labels'])
    if frame_labels.shape != (sample['total_frames'], ):
        return [f'{where}, field "frame_labels": shape {frame_labels.shape},'
                f' expected ({sample["total_frames"]},)']
    if num_classes is None:
        return []
    expected = derive_frame_labels(sample['segments'], sample['total_frames'],
                                   num_classes)
    labelled = frame_labels != UNLABELLED
    mismatch = np.flatnonzero(labelled & (frame_labels != expected))
    problems = []
    if len(mismatch):
        problems.append(f'{where}, field "frame_labels": {len(mismatch)} '
                        'frame(s) disagree with "segments", first at frame '
                        f'{int(mismatch[0])}')
    if 'label' in sample and list(sample['label']) != derive_video_labels(
            sample['segments']):
        problems.append(f'{where}, field "label": {list(sample["label"])} '
                        'does not match the classes in "segments"')
    return problems


def validate_annotations(data, source: str = '<memory>') -> List[str]:
    """Check an annotation dict against the format.

    Args:
        data: The loaded annotation object.
        source: The file it came from, used in every message.

    Returns:
        All problems found, each naming ``source``, the sample and the
        field. An empty list means the data is valid.
    """
    if not isinstance(data, dict):
        return [f'{source}: top level must be a dict with "meta", "split" '
                f'and "annotations", got {type(data).__name__}']
    problems = [f'{source}: missing top-level key "{key}"'
                for key in ('meta', 'annotations') if key not in data]
    if problems:
        return problems
    meta = data['meta']
    classes = meta.get('classes')
    num_classes = None if classes is None else len(classes)
    layout = meta.get('layout', 'nturgb+d')
    if layout not in NUM_JOINTS:
        problems.append(f'{source}: meta "layout" {layout!r} is not one of '
                        f'{sorted(NUM_JOINTS)}')
    num_joints = NUM_JOINTS.get(layout)
    names = []
    for index, sample in enumerate(data['annotations']):
        name = sample.get('frame_dir', f'#{index}') if isinstance(
            sample, dict) else f'#{index}'
        where = f'{source}, sample {name!r} (index {index})'
        if not isinstance(sample, dict):
            problems.append(f'{where}: must be a dict')
            continue
        names.append(name)
        if 'segments' in sample and classes is None:
            problems.append(f'{where}: has "segments" but meta has no '
                            '"classes"')
        problems += _sample_problems(sample, where, num_classes, num_joints)
    known = set(names)
    if len(known) != len(names):
        problems.append(f'{source}: duplicate frame_dir values')
    for split, members in data.get('split', {}).items():
        unknown = [m for m in members if m not in known]
        if unknown:
            problems.append(f'{source}, split {split!r}: {len(unknown)} '
                            f'unknown frame_dir(s), e.g. {unknown[0]!r}')
    return problems


def annotation_format(path: str) -> str:
    """The format suffix of ``path`` (``'.pkl'`` or ``'.npz'``).

    Raises:
        AnnotationError: for any other suffix, naming the file.
    """
    suffix = osp.splitext(path)[1].lower()
    if suffix not in ANNOTATION_FORMATS:
        raise AnnotationError(
            f'{path}: unknown annotation format {suffix!r}, expected one of '
            f'{ANNOTATION_FORMATS} (.npz is the safe, pickle-free one)')
    return suffix


def _read_pickle(path: str):
    """Unpickle ``path``, turning every failure into an AnnotationError."""
    try:
        with open(path, 'rb') as f:
            return pickle.load(f)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            IndexError, TypeError, ValueError) as err:
        raise AnnotationError(
            f'{path}: corrupt or truncated annotation pickle '
            f'({type(err).__name__}: {err})') from err


def _to_json_tree(value: Any, key: str, arrays: Dict[str, np.ndarray]):
    """``value`` as JSON-able data; its arrays go to ``arrays``.

    Args:
        value: Part of the annotation dict.
        key: Its path in the dict, e.g. ``annotations/3/keypoint``.
        arrays: Filled with ``{path: array}``.

    Raises:
        TypeError: for an object array or a value JSON cannot hold.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError(f'field {key!r}: object arrays cannot be stored '
                            'without pickle')
        arrays[key] = value
        return {ARRAY_REF: key}
    if isinstance(value, dict):
        return {str(k): _to_json_tree(v, f'{key}/{k}', arrays)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json_tree(v, f'{key}/{i}', arrays)
                for i, v in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f'field {key!r}: {type(value).__name__} cannot be '
                    'stored in JSON')


def _resolve_arrays(value: Any, arrays, where: str, missing: List[str]):
    """Undo :func:`_to_json_tree`; unresolved references go to ``missing``.

    ``where`` names the value in messages (file, sample, field).
    """
    if isinstance(value, dict):
        if set(value) == {ARRAY_REF}:
            if value[ARRAY_REF] in arrays.files:
                return arrays[value[ARRAY_REF]]
            missing.append(f'{where}: array {value[ARRAY_REF]!r} is missing '
                           'from the .npz archive')
            return None
        return {k: _resolve_arrays(v, arrays, f'{where}/{k}', missing)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_arrays(v, arrays, f'{where}[{i}]', missing)
                for i, v in enumerate(value)]
    return value


def _resolve_sample(sample: Any, index: int, arrays, path: str,
                    missing: List[str]):
    """One JSON sample with its arrays, messages naming sample and field."""
    if not isinstance(sample, dict):
        return sample
    name = sample.get('frame_dir', f'#{index}')
    where = f'{path}, sample {name!r} (index {index})'
    return {field: _resolve_arrays(value, arrays,
                                   f'{where}, field "{field}"', missing)
            for field, value in sample.items()}


def _read_npz(path: str):
    """Load a ``.npz`` annotation without pickle.

    Raises:
        AnnotationError: for a corrupt or truncated archive, bad JSON, an
            object array, or a reference whose array is missing (naming the
            sample and field).
    """
    missing: List[str] = []
    try:
        with np.load(path, allow_pickle=False) as arrays:
            if NPZ_JSON_KEY not in arrays.files:
                raise AnnotationError(
                    f'{path}: not an annotation .npz, member '
                    f'{NPZ_JSON_KEY!r} is missing')
            tree = json.loads(str(arrays[NPZ_JSON_KEY]))
            if not isinstance(tree, dict):
                return tree
            data = {key: _resolve_arrays(value, arrays, f'{path}, {key!r}',
                                         missing)
                    for key, value in tree.items() if key != 'annotations'}
            if isinstance(tree.get('annotations'), list):
                data['annotations'] = [
                    _resolve_sample(sample, index, arrays, path, missing)
                    for index, sample in enumerate(tree['annotations'])
                ]
    except AnnotationError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        raise AnnotationError(
            f'{path}: corrupt or truncated annotation .npz '
            f'({type(err).__name__}: {err})') from err
    if missing:
        raise AnnotationError(
            f'{len(missing)} problem(s) in {path}:\n' + '\n'.join(missing))
    return data


def _write_npz(data: Dict, stream) -> None:
    """Write ``data`` as a ``.npz`` annotation to an open binary stream."""
    arrays: Dict[str, np.ndarray] = {}
    tree = {str(key): _to_json_tree(value, str(key), arrays)
            for key, value in data.items()}
    np.savez_compressed(stream, **{NPZ_JSON_KEY: np.array(json.dumps(tree))},
                        **arrays)


def load_annotations(path: str) -> Dict:
    """Load and validate an annotation file (``.pkl`` or ``.npz``).

    Warning:
        Unpickling runs code chosen by whoever wrote the file. Only load
        ``.pkl`` annotations from sources you trust; ``.npz`` ones never run
        code.

    Raises:
        AnnotationFileNotFoundError: ``path`` does not exist.
        AnnotationError: listing every problem, by file, sample and field.
    """
    suffix = annotation_format(path)
    if not osp.isfile(path):
        raise AnnotationFileNotFoundError(path)
    data = _read_pickle(path) if suffix == '.pkl' else _read_npz(path)
    problems = validate_annotations(data, path)
    if problems:
        raise AnnotationError(
            f'{len(problems)} problem(s) in {path}:\n' + '\n'.join(problems))
    return data


def save_annotations(data: Dict, path: str) -> None:
    """Validate ``data`` and write it to ``path`` atomically.

    The format follows the suffix (``.pkl`` or ``.npz``, see the module
    docstring). The file is written to a temporary sibling and renamed, so
    a reader never sees a half-written annotation file.

    Raises:
        AnnotationError: if ``data`` breaks the format, or (``.npz``) holds
            a value neither JSON nor a plain array can store; nothing is
            written.
    """
    suffix = annotation_format(path)
    problems = validate_annotations(data, path)
    if problems:
        raise AnnotationError(
            f'{len(problems)} problem(s) in {path}:\n' + '\n'.join(problems))
    try:
        with atomic_open(path) as f:
            if suffix == '.pkl':
                pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
            else:
                _write_npz(data, f)
    except TypeError as err:
        raise AnnotationError(f'{path}: {err}') from err

"""BABEL JSON: the label files ``train.json``, ``val.json`` and
``extra_train.json`` read and checked (layout in :mod:`.` ``__init__``)."""
import json
import os.path as osp
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import List, Optional, Tuple

import numpy as np

from ..common import RawDataError


@dataclass(frozen=True)
class BabelLabel:
    """One BABEL frame label: ``[start_t, end_t]`` seconds, action categories
    and the label's name in reports (its ``seg_id``, else
    ``labels[<index>]``)."""
    start_t: float
    end_t: float
    act_cat: Tuple[str, ...]
    name: str = ''


@dataclass(frozen=True)
class BabelSequence:
    """One BABEL sequence.

    Attributes:
        sid: BABEL sequence id (the JSON key), used as ``frame_dir``.
        feat_p: AMASS file path as BABEL spells it.
        split: ``'train'`` or ``'val'``.
        labels: The ``frame_ann`` labels, or ``None`` if the sequence has a
            sequence label only (or labels were not read).
        dur: BABEL's duration of the motion in seconds, if given.
    """
    sid: str
    feat_p: str
    split: str
    labels: Optional[Tuple[BabelLabel, ...]] = None
    dur: Optional[float] = None


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
        seg_id = label.get('seg_id')
        labels.append(
            BabelLabel(float(label['start_t']), float(label['end_t']),
                       tuple(categories),
                       seg_id if isinstance(seg_id, str) and seg_id else
                       f'labels[{index}]'))
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
        dur = entry.get('dur')
        if dur is not None and not (_is_number(dur) and dur >= 0):
            problems.append(f'{where}: "dur" must be a non-negative number of '
                            f'seconds, got {dur!r}')
            continue
        sequences.append(BabelSequence(str(sid), entry['feat_p'], split,
                                       labels,
                                       None if dur is None else float(dur)))
    if problems:
        shown = '\n'.join(problems[:20])
        more = f'\n... and {len(problems) - 20} more' if len(
            problems) > 20 else ''
        raise RawDataError(f'{len(problems)} problem(s) in {path}:\n'
                           f'{shown}{more}')
    return sequences



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

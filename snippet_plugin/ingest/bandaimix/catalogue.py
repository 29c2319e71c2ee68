"""The Bandai-Namco clips of BandaiMix: labels, classes, styles, splits.

A clone's ``dataset/`` folder holds ``Bandai-Namco-Research-Motiondataset-
{1,2}/`` with ``cfg/content_label.txt`` and ``cfg/style_label.txt`` (one
``dataset-N_name`` per line; the line index is the id) and ``data/``:
``dataset-N_{content}_{style}_{NNN}.bvh`` beside a ``.json`` holding
``{"content": id, "style": id}``. :func:`discover_clips` reads them all and
refuses anything it cannot label with certainty (missing label, unknown
id, a file name that contradicts its label, a content or style this module
does not know) with an error naming the file.

**Classes** (:data:`CLASSES`, ids in order) are the clip contents, merged
across the two datasets where they are the same action
(:data:`CONTENT_CLASSES`; the measurements behind each choice are in
``docs/datasets.md``):

- ``walk`` and ``run`` of both datasets: forward walking (median steady
  hip speed 124 and 131 cm/s) and running (223 cm/s in dataset 1, 293 in
  dataset 2); dataset 1's ``dash`` (354 cm/s, its sprint) stays a class.
- dataset 1's ``bye`` is a right-hand wave in all 15 clips (the right
  hand rises, the left stays down): merged into ``wave-right-hand``; its
  ``byebye`` waves both hands: merged into ``wave-both-hands``.
- dataset 1's ``walk-left``/``walk-right`` walk diagonally without turning
  (median heading change 4 and -2 deg), dataset 2's
  ``walk-turn-left/right`` turn by about 90 deg: different classes.
- :data:`EXCLUDED_CONTENTS`: dataset 1's ``respond``, ``call``, ``punch``,
  ``kick``, ``slash``, ``dance-long`` and ``dance-short`` exist in the
  ``normal`` style only, so a style split cannot put them in both splits.

**Styles.** Three dataset-1 styles name a dataset-2 style
(:data:`STYLE_GROUPS`: ``masculinity`` = ``masculine``, ``old`` =
``elderly``, ``tired`` = ``exhausted``); a style group is one manner of
moving, whichever dataset it comes from.

**Split rule** (:data:`VAL_STYLES`): a clip is in ``val`` if its style
group is ``elderly``, ``feminine``, ``sad`` or ``proud``, else in
``train``. No style is in both splits, so val measures new manners of
moving, not new compositions of the training clips (the clips carry no
actor id). That is 2 of the 7 dataset-2 styles and 4 of the 15 dataset-1
styles, about a quarter of each dataset, covering age, gender, mood and
attitude. :func:`check_split` refuses a catalogue where a class lacks
clips in a split.
"""
import json
import os
import os.path as osp
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

DATASET_FOLDERS = {
    1: 'Bandai-Namco-Research-Motiondataset-1',
    2: 'Bandai-Namco-Research-Motiondataset-2',
}
"""Folder of each dataset under the clone's ``dataset/``."""

SUBSETS = {'all': (1, 2), 'dataset2': (2, )}
"""Datasets each ``--subset`` reads."""

CLASSES = ('walk', 'walk-back', 'walk-left', 'walk-right', 'walk-turn-left',
           'walk-turn-right', 'run', 'dash', 'bow', 'guide',
           'wave-both-hands', 'wave-left-hand', 'wave-right-hand',
           'raise-up-both-hands', 'raise-up-left-hand',
           'raise-up-right-hand')
"""BandaiMix classes of the full build; the index is the class id."""

CONTENT_CLASSES: Dict[Tuple[int, str], str] = {
    (1, 'walk'): 'walk',
    (1, 'walk-back'): 'walk-back',
    (1, 'walk-left'): 'walk-left',
    (1, 'walk-right'): 'walk-right',
    (1, 'run'): 'run',
    (1, 'dash'): 'dash',
    (1, 'bow'): 'bow',
    (1, 'guide'): 'guide',
    (1, 'byebye'): 'wave-both-hands',
    (1, 'bye'): 'wave-right-hand',
    (2, 'walk'): 'walk',
    (2, 'walk-turn-left'): 'walk-turn-left',
    (2, 'walk-turn-right'): 'walk-turn-right',
    (2, 'run'): 'run',
    (2, 'wave-both-hands'): 'wave-both-hands',
    (2, 'wave-left-hand'): 'wave-left-hand',
    (2, 'wave-right-hand'): 'wave-right-hand',
    (2, 'raise-up-both-hands'): 'raise-up-both-hands',
    (2, 'raise-up-left-hand'): 'raise-up-left-hand',
    (2, 'raise-up-right-hand'): 'raise-up-right-hand',
}
"""Class of each ``(dataset, content)``."""

EXCLUDED_CONTENTS = frozenset({(1, 'respond'), (1, 'call'), (1, 'punch'),
                               (1, 'kick'), (1, 'slash'), (1, 'dance-long'),
                               (1, 'dance-short')})
"""Contents captured in one style only (``normal``): left out."""

STYLES = {
    1: ('normal', 'happy', 'sad', 'angry', 'proud', 'not-confident',
        'masculinity', 'feminine', 'childish', 'old', 'tired', 'active',
        'musical', 'giant', 'chimpira'),
    2: ('active', 'elderly', 'exhausted', 'feminine', 'masculine', 'normal',
        'youthful'),
}
"""The styles of each dataset."""

STYLE_GROUPS: Dict[Tuple[int, str], str] = {
    (1, 'masculinity'): 'masculine',
    (1, 'old'): 'elderly',
    (1, 'tired'): 'exhausted',
}
"""Dataset-1 styles that are a dataset-2 style; any other style is its own
group."""

VAL_STYLES = frozenset({'elderly', 'feminine', 'sad', 'proud'})
"""Style groups of the ``val`` split; every other style is ``train``."""

_NAME = re.compile(r'^dataset-(\d)_(.+)_(.+)_(\d+)$')


class CatalogueError(ValueError):
    """A clip the builder cannot label with certainty."""


@dataclass(frozen=True)
class ClipRecord:
    """One labelled clip.

    Attributes:
        name: File stem, e.g. ``dataset-2_walk_normal_001``.
        path: The ``.bvh`` file.
        dataset: 1 or 2.
        content: Content name of its label.
        style: Style name of its label.
        class_name: Its class, ``None`` for :data:`EXCLUDED_CONTENTS`.
        style_group: Its style group (:data:`STYLE_GROUPS`).
    """
    name: str
    path: str
    dataset: int
    content: str
    style: str
    class_name: Optional[str]
    style_group: str

    @property
    def split(self) -> str:
        """``'val'`` for :data:`VAL_STYLES`, else ``'train'``."""
        return 'val' if self.style_group in VAL_STYLES else 'train'


def read_label_list(path: str, dataset: int) -> Tuple[str, ...]:
    """Names of ``cfg/*_label.txt`` (``dataset-N_`` prefix removed).

    Raises:
        CatalogueError: if the file is missing or a line lacks the prefix.
    """
    if not osp.isfile(path):
        raise CatalogueError(f'{path}: label list not found')
    prefix = f'dataset-{dataset}_'
    names = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            if not line.strip().startswith(prefix):
                raise CatalogueError(f'{path}, line {number}: expected '
                                     f'"{prefix}<name>", got {line.strip()!r}')
            names.append(line.strip()[len(prefix):])
    return tuple(names)


def read_label(path: str, contents: Sequence[str],
               styles: Sequence[str]) -> Tuple[str, str]:
    """``(content, style)`` names of a clip's ``.json`` label.

    Raises:
        CatalogueError: naming the file, if it is missing, not JSON, lacks
            an integer ``content`` or ``style``, or has an unknown id.
    """
    if not osp.isfile(path):
        raise CatalogueError(f'{path}: label file missing (every .bvh needs '
                             'a .json beside it)')
    try:
        with open(path, encoding='utf-8') as f:
            label = json.load(f)
    except json.JSONDecodeError as err:
        raise CatalogueError(f'{path}: not valid JSON ({err})') from None
    names = []
    for key, known, listing in (('content', contents, 'content_label.txt'),
                                ('style', styles, 'style_label.txt')):
        value = label.get(key) if isinstance(label, dict) else None
        if not isinstance(value, int) or isinstance(value, bool):
            raise CatalogueError(f'{path}: expected an integer "{key}", got '
                                 f'{label!r}')
        if not 0 <= value < len(known):
            raise CatalogueError(f'{path}: unknown {key} id {value} '
                                 f'(cfg/{listing} lists {len(known)})')
        names.append(known[value])
    return names[0], names[1]


def label_clip(bvh_path: str, dataset: int, contents: Sequence[str],
               styles: Sequence[str]) -> ClipRecord:
    """The record of one ``.bvh`` file from its ``.json`` label.

    Raises:
        CatalogueError: naming the file, if the label is bad, contradicts
            the file name, or names a content or style this module does not
            know.
    """
    stem = osp.basename(bvh_path)[:-len('.bvh')]
    content, style = read_label(osp.splitext(bvh_path)[0] + '.json',
                                contents, styles)
    match = _NAME.match(stem)
    if match is None or match.group(1, 2, 3) != (str(dataset), content,
                                                 style):
        raise CatalogueError(f'{bvh_path}: label says dataset {dataset}, '
                             f'content {content!r}, style {style!r}; the '
                             'file name says otherwise')
    key = (dataset, content)
    if key not in CONTENT_CLASSES and key not in EXCLUDED_CONTENTS:
        raise CatalogueError(f'{bvh_path}: content {content!r} of dataset '
                             f'{dataset} is neither a class nor excluded '
                             '(see CONTENT_CLASSES)')
    if style not in STYLES[dataset]:
        raise CatalogueError(f'{bvh_path}: style {style!r} is not a dataset-'
                             f'{dataset} style {STYLES[dataset]}; the split '
                             'rule cannot place it')
    return ClipRecord(stem, bvh_path, dataset, content, style,
                      CONTENT_CLASSES.get(key),
                      STYLE_GROUPS.get((dataset, style), style))


def discover_clips(src: str, datasets: Sequence[int] = (1, 2)
                   ) -> Tuple[List[ClipRecord], List[str]]:
    """Label every clip of ``datasets`` under ``src``.

    Args:
        src: The clone's ``dataset/`` folder.
        datasets: Which datasets (see :data:`SUBSETS`).

    Returns:
        ``(records, orphans)``: the clips, sorted by dataset and name, and
        the ``.json`` labels of excluded contents that have no ``.bvh``
        (they are listed, not needed).

    Raises:
        CatalogueError: for a missing folder, a bad or contradictory label,
            or a label of a class content without its ``.bvh`` (an
            incomplete clone).
    """
    records, orphans = [], []
    for dataset in datasets:
        root = osp.join(src, DATASET_FOLDERS[dataset])
        if not osp.isdir(osp.join(root, 'data')):
            raise CatalogueError(
                f'{src}: no folder {DATASET_FOLDERS[dataset]}/data (give '
                "--src the clone's dataset/ folder)")
        contents = read_label_list(
            osp.join(root, 'cfg', 'content_label.txt'), dataset)
        styles = read_label_list(osp.join(root, 'cfg', 'style_label.txt'),
                                 dataset)
        files = sorted(os.listdir(osp.join(root, 'data')))
        for name in files:
            path = osp.join(root, 'data', name)
            if name.endswith('.bvh'):
                records.append(label_clip(path, dataset, contents, styles))
            elif name.endswith('.json') and name[:-5] + '.bvh' not in files:
                content, _ = read_label(path, contents, styles)
                if (dataset, content) not in EXCLUDED_CONTENTS:
                    raise CatalogueError(
                        f'{path}: label without its motion file '
                        f'{name[:-5]}.bvh (incomplete clone?)')
                orphans.append(path)
    return records, orphans


def class_list(records: Sequence[ClipRecord]) -> Tuple[str, ...]:
    """The classes that ``records`` have clips of, in :data:`CLASSES`
    order."""
    present = {r.class_name for r in records}
    return tuple(name for name in CLASSES if name in present)


def check_split(records: Sequence[ClipRecord],
                classes: Sequence[str]) -> None:
    """Refuse a catalogue the style split cannot serve.

    Raises:
        CatalogueError: if a class has no clip in a split, or a style
            group offers fewer than two classes (a sequence never repeats
            a class back to back).
    """
    problems = []
    for split in ('train', 'val'):
        members = [r for r in records if r.split == split]
        for name in classes:
            if not any(r.class_name == name for r in members):
                styles = sorted({r.style_group for r in records
                                 if r.class_name == name})
                problems.append(f'class {name!r} has no {split} clip (its '
                                f'style groups: {styles}; val styles: '
                                f'{sorted(VAL_STYLES)})')
        for style in sorted({r.style_group for r in members}):
            offered = {r.class_name for r in members if r.style_group == style}
            if len(offered) < 2:
                problems.append(f'style {style!r} ({split}) has clips of one '
                                f'class only {sorted(offered)}')
    if problems:
        raise CatalogueError('the style split cannot be made: ' +
                             '; '.join(problems))


__all__ = [
    'DATASET_FOLDERS', 'SUBSETS', 'CLASSES', 'CONTENT_CLASSES',
    'EXCLUDED_CONTENTS', 'STYLES', 'STYLE_GROUPS', 'VAL_STYLES',
    'CatalogueError', 'ClipRecord', 'read_label_list', 'read_label',
    'label_clip', 'discover_clips', 'class_list', 'check_split'
]

"""A dataset subset chosen by one config key, after ``--cfg-options``.

BABEL is evaluated on three subsets, one annotation file each. A config
names the file once as a template, ``ann_file='data/babel/babel_{subset}.pkl'``,
in every dataloader that reads it (training, validation, test and the KNN
memory), and sets the top-level ``subset = 'subset1'``. mmengine evaluates
a config's variables when it parses the file, before ``--cfg-options`` is
merged, so an override of ``subset`` could not reach the dataloaders by
itself: :func:`resolve_subset` fills the templates after the merge
(``tools/train.py``, ``tools/test.py`` and
:func:`~snippet_plugin.apis.init_localizer` call it)::

    python tools/test.py configs/knn/knn_rvtclr_2sagcn_babel.py CKPT \\
        --cfg-options subset=subset2
"""
from typing import Any, List, Optional, Sequence

from mmengine.config import Config

SUBSET_KEY = 'subset'
"""The top-level config key naming the subset."""

SUBSET_PLACEHOLDER = '{' + SUBSET_KEY + '}'
"""What an ``ann_file`` template holds where the subset's name goes."""

RUNNER_DATA_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
                    'val_cfg', 'test_cfg')
"""Top-level keys under which the runner and its loops read datasets."""


def _ann_file_holders(node: Any, found: List[dict]) -> List[dict]:
    """Every dict under ``node`` whose ``ann_file`` is a template."""
    if isinstance(node, dict):
        ann_file = node.get('ann_file')
        if isinstance(ann_file, str) and SUBSET_PLACEHOLDER in ann_file:
            found.append(node)
        for value in node.values():
            _ann_file_holders(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _ann_file_holders(value, found)
    return found


def subset_templates(cfg: Config,
                     keys: Optional[Sequence[str]] = None) -> List[str]:
    """The ``ann_file`` templates under the top-level ``keys`` of ``cfg``
    (default: every key), in config order."""
    keys = list(cfg.keys()) if keys is None else [k for k in keys if k in cfg]
    return [holder['ann_file'] for holder in _ann_file_holders(
        [cfg[key] for key in keys], [])]


def resolve_subset(cfg: Config) -> Config:
    """Write ``cfg.subset`` into every ``ann_file`` template, in place.

    Templates are found anywhere in the config (dataloaders, dataset
    wrappers, ``val_cfg.memory_dataloader``); a config without templates is
    returned unchanged, so resolving twice is harmless.

    Args:
        cfg: A parsed config, ``--cfg-options`` already merged.

    Returns:
        ``cfg``.

    Raises:
        ValueError: an ``ann_file`` template exists but the config sets no
            ``subset``.
    """
    holders = _ann_file_holders([cfg[key] for key in cfg.keys()], [])
    if not holders:
        return cfg
    subset = cfg.get(SUBSET_KEY)
    if subset is None:
        raise ValueError(
            f'{cfg.filename or "config"}: ann_file '
            f'{holders[0]["ann_file"]!r} holds {SUBSET_PLACEHOLDER} but the '
            f'config sets no {SUBSET_KEY!r}; add --cfg-options '
            f'{SUBSET_KEY}=<name>')
    for holder in holders:
        holder['ann_file'] = holder['ann_file'].replace(
            SUBSET_PLACEHOLDER, str(subset))
    return cfg

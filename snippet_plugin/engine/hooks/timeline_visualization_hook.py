"""Ground truth vs. predicted frame labels of chosen sequences, drawn after
each validation / test epoch (the paper's Fig. 4 for one model)."""
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np
from matplotlib.figure import Figure
from mmengine.dist import all_gather_object, get_rank
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmaction.registry import HOOKS
from ...datasets.annotation import derive_frame_labels
from ...visualization import plot_label_timelines, save_figure


@HOOKS.register_module()
class TimelineVisualizationHook(Hook):
    """Save a timeline PNG (ground truth row + prediction row) per chosen
    sequence after every validation and test epoch.

    It reads what the loop hands to ``after_val_iter`` / ``after_test_iter``
    as ``outputs``: data samples with metainfo ``frame_dir``,
    ``total_frames`` and ``gt_segments``, and the field
    ``pred_frame_labels (T,)`` (:class:`SkeletonLocalizer` and
    :class:`KNNLocalizationLoop` set them). The ground-truth row is derived
    from ``gt_segments`` (background ``K``); class names come from the
    loop's dataset ``metainfo['classes']``.

    Files: ``<out_dir>/<frame_dir>_val_epoch<E>.png`` (``E`` = epochs
    trained) and ``<out_dir>/<frame_dir>_test.png``; ``out_dir`` defaults
    to ``<runner.log_dir>/timelines`` (a ``/`` in a ``frame_dir`` becomes
    ``_``). Under DDP a sequence is drawn once, by the lowest rank that saw
    it: the distributed sampler pads a rank's share with repeated samples,
    so two ranks can hold the same sequence and would otherwise write one
    file at the same time. For
    several models in one figure, use
    ``tools/analysis/compare_localization.py`` on the test dumps.

    Config::

        custom_hooks = [dict(type='TimelineVisualizationHook',
                             sequences=['mocapmix_val_000'])]

    Args:
        sequences: ``frame_dir`` of each sequence to draw.
        model_name: Name of the prediction row. Defaults to
            ``'prediction'``.
        out_dir: Folder of the PNGs (default under the log dir).
        dpi: Resolution of the PNGs.
    """

    priority = 'LOW'

    def __init__(self,
                 sequences: Sequence[str],
                 model_name: str = 'prediction',
                 out_dir: Optional[str] = None,
                 dpi: int = 120) -> None:
        if isinstance(sequences, str) or not sequences:
            raise ValueError('sequences must be a non-empty list of '
                             f'frame_dir names, got {sequences!r}')
        self.sequences = tuple(sequences)
        self.model_name = model_name
        self.out_dir = out_dir
        self.dpi = dpi
        self.collected: Dict[str, dict] = {}

    def before_val_epoch(self, runner) -> None:
        self.collected = {}

    def before_test_epoch(self, runner) -> None:
        self.collected = {}

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None) -> None:
        self.collect(outputs or [])

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self.collect(outputs or [])

    def after_val_epoch(self, runner, metrics=None) -> None:
        self.save_all(runner, runner.val_loop, f'val_epoch{runner.epoch}')

    def after_test_epoch(self, runner, metrics=None) -> None:
        self.save_all(runner, runner.test_loop, 'test')

    def collect(self, data_samples: Sequence) -> None:
        """Keep ``total_frames``, ``gt_segments`` and ``pred_frame_labels``
        of the chosen sequences among ``data_samples``."""
        for sample in data_samples:
            name = sample.metainfo.get('frame_dir')
            if name not in self.sequences:
                continue
            self.collected[name] = dict(
                total_frames=int(sample.metainfo['total_frames']),
                gt_segments=np.asarray(sample.metainfo.get(
                    'gt_segments', np.zeros((0, 3)))).reshape(-1, 3),
                pred_frame_labels=np.asarray(
                    sample.pred_frame_labels.cpu()))

    def figure(self, name: str, classes: Sequence[str]) -> Figure:
        """The timeline figure of a collected sequence: row 0 ground truth,
        row 1 ``model_name``."""
        seen = self.collected[name]
        truth = derive_frame_labels(seen['gt_segments'],
                                    seen['total_frames'], len(classes))
        rows = [('ground truth', truth),
                (self.model_name, seen['pred_frame_labels'])]
        return plot_label_timelines(
            rows, classes, title=f'{name}: ground truth and frame-wise '
            'predictions')

    def save_all(self, runner, loop, tag: str) -> None:
        """Write one PNG per collected sequence this rank draws; warn (rank
        0) about chosen sequences no rank saw.

        A collective under DDP: every rank must call it.
        """
        drawer = lowest_rank_per_name(all_gather_object(list(self.collected)))
        rank = get_rank()
        classes = list(loop.dataloader.dataset.metainfo['classes'])
        out_dir = self.out_dir or osp.join(runner.log_dir, 'timelines')
        for name in self.collected:
            if drawer[name] != rank:
                continue
            path = osp.join(out_dir, f'{name.replace("/", "_")}_{tag}.png')
            save_figure(self.figure(name, classes), path, self.dpi)
            print_log(f'timeline of {name} written to {path}',
                      logger='current')
        unseen = [name for name in self.sequences if name not in drawer]
        if unseen and rank == 0:
            print_log(f'TimelineVisualizationHook: sequences {unseen} were '
                      f'not among the {tag} samples',
                      logger='current', level=30)


def lowest_rank_per_name(names_per_rank: Sequence[Sequence[str]]
                         ) -> Dict[str, int]:
    """``{name: lowest rank whose list holds it}`` from one list per rank."""
    drawer: Dict[str, int] = {}
    for rank, names in enumerate(names_per_rank):
        for name in names:
            drawer.setdefault(name, rank)
    return drawer

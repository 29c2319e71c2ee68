"""Stacked frame-label timelines: ground truth above each model's predictions
(the paper's Fig. 4), one :func:`draw_label_timeline` row each."""
from typing import Optional, Sequence, Tuple

import numpy as np
from matplotlib.figure import Figure

from ..utils.output_paths import make_output_parent
from .skeleton_plot import add_class_legend, draw_label_timeline

ROW_HEIGHT = 0.8
"""Bar height of a row; rows sit one unit apart."""


def plot_label_timelines(rows: Sequence[Tuple[str, np.ndarray]],
                         classes: Sequence[str],
                         title: Optional[str] = None) -> Figure:
    """One labelled timeline row per ``(name, frame_labels)``, top to bottom.

    Row ``i`` of ``R`` is drawn at ``y = R - 1 - i`` (the first row on top),
    its bars ``ROW_HEIGHT`` high; the x axis is in frames. A legend of the
    classes that occur in any row (and background) goes below.

    Args:
        rows: ``(row name, frame labels (T,))`` pairs; labels in
            ``[-1, K]`` (class id, background ``K``, -1 unlabelled), all
            rows of the same ``T``.
        classes: The ``K`` class names.
        title: Axes title.

    Returns:
        Figure: One axes; not attached to pyplot (save it with
        :func:`save_figure` or ``Figure.savefig``).
    """
    lengths = {len(labels) for _, labels in rows}
    if len(lengths) != 1:
        raise ValueError(f'timeline rows must share one length, got '
                         f'{sorted(lengths)} frames')
    figure = Figure(figsize=(12, 0.7 * len(rows) + 1.6), layout='constrained')
    ax = figure.subplots()
    present = set()
    for i, (name, frame_labels) in enumerate(rows):
        present.update(draw_label_timeline(
            ax, np.asarray(frame_labels), classes, y=len(rows) - 1 - i,
            height=ROW_HEIGHT, row_label=name))
    ax.set_ylim(-0.2, len(rows))
    ax.set_yticks([])
    ax.set_xlabel('frame')
    if title:
        ax.set_title(title)
    add_class_legend(ax, classes, sorted(present), loc='upper center',
                     bbox_to_anchor=(0.5, -0.45), ncol=8, frameon=False)
    return figure


def save_figure(figure: Figure, path: str, dpi: int = 120) -> str:
    """Write ``figure`` to ``path`` (folders created); return ``path``."""
    figure.savefig(make_output_parent(path), dpi=dpi, bbox_inches='tight')
    return path

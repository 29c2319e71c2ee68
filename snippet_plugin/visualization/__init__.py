"""Plotting of skeleton sequences and label timelines (matplotlib)."""
from .skeleton_plot import (add_class_legend, body_axes, class_colors,
                            draw_label_timeline, draw_skeleton_strip,
                            draw_stick_figure, plot_sequence,
                            project_view, run_start_frames,
                            strip_frames)
from .timelines import plot_label_timelines, save_figure

__all__ = [
    'add_class_legend', 'body_axes', 'class_colors', 'draw_label_timeline',
    'draw_skeleton_strip', 'draw_stick_figure',
    'plot_sequence', 'project_view', 'run_start_frames', 'strip_frames',
    'plot_label_timelines', 'save_figure'
]

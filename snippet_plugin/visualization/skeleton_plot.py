"""Matplotlib drawings of skeleton sequences and frame-label timelines.

Plain functions on an ``Axes`` so that they compose: a stick-figure strip
(:func:`draw_skeleton_strip`), a label timeline row
(:func:`draw_label_timeline`, one call per row, e.g. ground truth above
predictions) and a class legend (:func:`add_class_legend`).
:func:`plot_sequence` puts them together for one annotated sample.

Skeletons are NTU-25 (``layout='nturgb+d'``) arrays ``(M, T, 25, 3)``;
frame labels follow the annotation format (class id, background id ``K``,
``-1`` unlabelled).
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..datasets.annotation import NTU25_BONES, NTU25_FLIP_PAIRS
from ..evaluation.functional.segmentation import label_runs

BACKGROUND_COLOR = (0.78, 0.78, 0.78, 1.0)
UNLABELLED_COLOR = (1.0, 1.0, 1.0, 1.0)
LEFT_COLOR = 'tab:blue'
RIGHT_COLOR = 'tab:red'
CENTRE_COLOR = 'black'

_LEFT_JOINTS = frozenset(left for left, _ in NTU25_FLIP_PAIRS)
_RIGHT_JOINTS = frozenset(right for _, right in NTU25_FLIP_PAIRS)
_HIPS = (12, 16)
_SHOULDERS = (4, 8)
_SPINE_BASE = 0
_SPINE_SHOULDER = 20


def class_colors(num_classes: int) -> List[Tuple[float, ...]]:
    """A distinct RGBA colour per class (tab10/tab20, then evenly spaced
    hues)."""
    import matplotlib
    if num_classes <= 10:
        cmap = matplotlib.colormaps['tab10']
        return [cmap(i) for i in range(num_classes)]
    if num_classes <= 20:
        cmap = matplotlib.colormaps['tab20']
        return [cmap(i) for i in range(num_classes)]
    cmap = matplotlib.colormaps['hsv']
    return [cmap(i / num_classes) for i in range(num_classes)]


def label_color(label: int, colors: Sequence) -> Tuple[float, ...]:
    """Colour of a frame label: a class colour, background grey, or white
    for unlabelled (``-1``)."""
    if label < 0:
        return UNLABELLED_COLOR
    if label >= len(colors):
        return BACKGROUND_COLOR
    return tuple(colors[label])


def draw_label_timeline(ax: Axes,
                        frame_labels: np.ndarray,
                        classes: Sequence[str],
                        *,
                        y: float = 0.0,
                        height: float = 1.0,
                        colors: Optional[Sequence] = None,
                        row_label: Optional[str] = None) -> List[int]:
    """Draw one timeline row of frame labels as coloured bars.

    Each run of equal labels is a bar from its first frame to its end
    frame (exclusive) on the x axis (frames); classes take their colour,
    background is grey and unlabelled frames are white. Call it once per
    row (different ``y``) to compare, e.g., ground truth and predictions.

    Args:
        ax: Target axes (x in frames).
        frame_labels: ``(T,)`` labels in ``[-1, K]``.
        classes: The ``K`` class names.
        y: Bottom of the row.
        height: Row height.
        colors: ``K`` class colours; default :func:`class_colors`.
        row_label: Name written left of the row.

    Returns:
        The class ids (``< K``) that occur in the row, sorted.
    """
    colors = class_colors(len(classes)) if colors is None else colors
    labels = np.asarray(frame_labels)
    for start, end, label in label_runs(labels):
        ax.broken_barh([(start, end - start)], (y, height),
                       facecolors=label_color(label, colors),
                       edgecolors='none')
    ax.set_xlim(0, len(labels))
    if row_label is not None:
        ax.text(-0.01, y + height / 2, row_label, ha='right', va='center',
                transform=ax.get_yaxis_transform())
    present = np.unique(labels[(labels >= 0) & (labels < len(classes))])
    return [int(c) for c in present]


def add_class_legend(ax: Axes,
                     classes: Sequence[str],
                     class_ids: Sequence[int],
                     *,
                     colors: Optional[Sequence] = None,
                     background: bool = True,
                     unlabelled: bool = False,
                     **legend_kwargs):
    """Legend patches for ``class_ids`` (plus background / unlabelled).

    ``legend_kwargs`` go to ``ax.legend`` (e.g. ``loc``, ``ncol``,
    ``bbox_to_anchor``).
    """
    colors = class_colors(len(classes)) if colors is None else colors
    handles = [Patch(facecolor=colors[c], label=classes[c]) for c in class_ids]
    if background:
        handles.append(Patch(facecolor=BACKGROUND_COLOR, label='background'))
    if unlabelled:
        handles.append(Patch(facecolor=UNLABELLED_COLOR, edgecolor='0.5',
                             label='unlabelled'))
    return ax.legend(handles=handles, **legend_kwargs)


def body_axes(joints: np.ndarray,
              up_axis: int = 2) -> Tuple[np.ndarray, np.ndarray]:
    """Per-frame horizontal facing and left directions of a body.

    With ``l`` the unit left vector ``(left hip - right hip) + (left
    shoulder - right shoulder)``, ``s`` the unit spine (spine base ->
    spine shoulder) and ``u`` the world up, the facing is the horizontal
    part of ``l x u + l x s``: the first term holds for a bent-over or
    crawling body, the second (the chest's normal) for a body leaning
    sideways, as in a side kick; upright, they agree. Frames where both
    vanish (upside down mid cartwheel) take the nearest well-defined
    frame's directions.

    Args:
        joints: ``(T, 25, 3)`` NTU-25 joints of one person.
        up_axis: Index of the vertical coordinate.

    Returns:
        ``forward (T, 3)`` and ``left (T, 3)`` horizontal unit vectors,
        ``left = up x forward``.
    """
    up = np.zeros(3)
    up[up_axis] = 1.0
    lateral = _unit(joints[:, _HIPS[0]] - joints[:, _HIPS[1]] +
                    joints[:, _SHOULDERS[0]] - joints[:, _SHOULDERS[1]])
    spine = _unit(joints[:, _SPINE_SHOULDER] - joints[:, _SPINE_BASE])
    facing = np.cross(lateral, up) + np.cross(lateral, spine)
    facing[:, up_axis] = 0.0
    norm = np.linalg.norm(facing, axis=-1)
    valid = norm > 0.3
    frames = np.arange(len(joints))
    if valid.any():
        valid_frames = frames[valid]
        nearest = valid_frames[np.abs(frames[:, None] -
                                      valid_frames[None]).argmin(axis=1)]
        forward = facing[nearest] / norm[nearest, None]
    else:
        forward = np.broadcast_to(np.roll(up, 1), facing.shape).copy()
    return forward, np.cross(up, forward)


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Normalise ``(..., 3)`` vectors (zero vectors stay zero)."""
    norm = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norm, 1e-9)


def run_start_frames(frame_labels: np.ndarray,
                     frames: Sequence[int]) -> np.ndarray:
    """First frame of the label run that contains each of ``frames``."""
    starts = label_runs(frame_labels)[:, 0]
    return starts[np.searchsorted(starts, np.asarray(frames), 'right') - 1]


def project_view(joints: np.ndarray,
                 frames: Sequence[int],
                 view: str = 'side',
                 up_axis: int = 2,
                 camera_frames: Optional[Sequence[int]] = None) -> np.ndarray:
    """2D body-centred drawing coordinates of selected frames.

    ``'side'`` looks at the body's right side (it faces screen-right),
    ``'front'`` looks at its front (its left on screen-right). The camera
    of each drawn frame is set by the first person's facing
    (:func:`body_axes`) at its camera frame, and is centred horizontally
    on that person's spine base. Heights are kept.

    Args:
        joints: ``(M, T, 25, 3)`` NTU-25 joints.
        frames: ``F`` frame indices.
        view: ``'side'`` or ``'front'``.
        up_axis: Index of the vertical coordinate.
        camera_frames: ``F`` frames that fix each camera; default
            ``frames`` (the camera turns with the body).

    Returns:
        ``(F, M, 25, 2)`` screen ``(x, y)`` coordinates.
    """
    if view not in ('side', 'front'):
        raise ValueError(f'view must be "side" or "front", got {view!r}')
    frames = np.asarray(frames)
    cameras = frames if camera_frames is None else np.asarray(camera_frames)
    forward, left = body_axes(joints[0], up_axis)
    across = (forward if view == 'side' else left)[cameras]
    centre = joints[0, frames, _SPINE_BASE]
    selected = np.moveaxis(joints[:, frames], 0, 1)  # (F, M, 25, 3)
    relative = selected - centre[:, None, None]
    screen_x = np.einsum('fmvc,fc->fmv', relative, across)
    screen_y = selected[..., up_axis]
    return np.stack([screen_x, screen_y], axis=-1)


def _bone_color(child: int, parent: int) -> str:
    """Left limbs blue, right limbs red, the trunk black."""
    if child in _LEFT_JOINTS or parent in _LEFT_JOINTS:
        return LEFT_COLOR
    if child in _RIGHT_JOINTS or parent in _RIGHT_JOINTS:
        return RIGHT_COLOR
    return CENTRE_COLOR


def draw_stick_figure(ax: Axes, points: np.ndarray, x_offset: float = 0.0,
                      linewidth: float = 2.0):
    """Draw one NTU-25 figure ``points (25, 2)`` shifted by ``x_offset``.

    The right side is drawn last, on top (the side view faces it).
    """
    bones = sorted(NTU25_BONES, key=lambda b: _bone_color(*b) == RIGHT_COLOR)
    for child, parent in bones:
        xs = points[[child, parent], 0] + x_offset
        ys = points[[child, parent], 1]
        ax.plot(xs, ys, color=_bone_color(child, parent), lw=linewidth,
                solid_capstyle='round')
    ax.plot(points[3, 0] + x_offset, points[3, 1], 'o', color=CENTRE_COLOR,
            ms=4 * linewidth)


def draw_skeleton_strip(ax: Axes,
                        keypoint: np.ndarray,
                        frames: Sequence[int],
                        *,
                        view: str = 'side',
                        up_axis: int = 2,
                        camera_frames: Optional[Sequence[int]] = None,
                        captions: Optional[Sequence[str]] = None,
                        caption_colors: Optional[Sequence] = None) -> None:
    """Draw figures of selected frames side by side, left to right.

    Args:
        ax: Target axes (equal aspect, axes hidden).
        keypoint: ``(M, T, 25, 3)`` NTU-25 joints; persons whose joints are
            all zero in a frame are skipped there.
        frames: ``F`` frame indices, drawn in this order.
        view: ``'side'`` or ``'front'`` (see :func:`project_view`).
        up_axis: Index of the vertical coordinate.
        camera_frames: Frames that fix each figure's camera (see
            :func:`project_view`); default the drawn frames.
        captions: ``F`` texts under the figures (default the frame index).
        caption_colors: ``F`` caption colours.
    """
    points = project_view(keypoint, frames, view, up_axis, camera_frames)
    present = np.any(keypoint[:, frames] != 0, axis=(2, 3)).T  # (F, M)
    drawn = points[present]
    spacing = max(0.8, 1.15 * float(np.ptp(drawn[..., 0], axis=-1).max()))
    ground = float(drawn[..., 1].min())
    top = float(drawn[..., 1].max())
    captions = captions or [f'frame {f}' for f in frames]
    for i, frame_points in enumerate(points):
        for person in np.flatnonzero(present[i]):
            draw_stick_figure(ax, frame_points[person], i * spacing)
        color = caption_colors[i] if caption_colors else 'black'
        ax.text(i * spacing, ground - 0.06 * (top - ground), captions[i],
                ha='center', va='top', fontsize=8, color=color)
    ax.axhline(ground, color='0.6', lw=0.8, zorder=0)
    ax.set_aspect('equal')
    ax.set_xlim(-0.6 * spacing, (len(frames) - 0.4) * spacing)
    ax.set_ylim(ground - 0.2 * (top - ground), top + 0.05 * (top - ground))
    ax.axis('off')


def strip_frames(total_frames: int, num_figures: int,
                 frame_range: Optional[Tuple[int, int]] = None) -> np.ndarray:
    """``num_figures`` evenly spaced frame indices in ``[start, end)``."""
    start, end = frame_range or (0, total_frames)
    count = min(num_figures, end - start)
    return np.unique(np.linspace(start, end - 1, count).round().astype(int))


def plot_sequence(keypoint: np.ndarray,
                  frame_labels: Optional[np.ndarray],
                  classes: Sequence[str],
                  *,
                  num_figures: int = 12,
                  frame_range: Optional[Tuple[int, int]] = None,
                  view: str = 'side',
                  up_axis: int = 2,
                  title: Optional[str] = None) -> Figure:
    """A stick-figure strip above the sequence's label timeline.

    Args:
        keypoint: ``(M, T, 25, 3)`` NTU-25 joints.
        frame_labels: ``(T,)`` labels, or None (the timeline is skipped).
        classes: The ``K`` class names.
        num_figures: Figures in the strip, evenly spaced over the range.
        frame_range: ``(start, end)`` frames of the strip; default all.
            The timeline always spans the whole sequence, with the range
            shaded and the drawn frames marked.
        view: ``'side'`` or ``'front'``. With labels, each figure's camera
            is the body's facing at the first frame of its label run, so
            it stays put during an action (a turning kick reads as one);
            without, it turns with the body.
        up_axis: Index of the vertical coordinate of ``keypoint``.
        title: Figure title.

    Returns:
        The figure (Agg-compatible; the caller saves it).
    """
    total_frames = keypoint.shape[1]
    frames = strip_frames(total_frames, num_figures, frame_range)
    colors = class_colors(len(classes))
    has_labels = frame_labels is not None
    figure = Figure(figsize=(max(12, 1.3 * len(frames)),
                             5.6 if has_labels else 4.2),
                    layout='constrained')
    if has_labels:
        strip_ax, time_ax = figure.subplots(
            2, 1, gridspec_kw={'height_ratios': [4.0, 1.0]})
    else:
        strip_ax = figure.subplots()
    captions, caption_colors = [], []
    for f in frames:
        if has_labels:
            label = int(frame_labels[f])
            name = classes[label] if 0 <= label < len(classes) else (
                'background' if label >= 0 else 'unlabelled')
            captions.append(f'{f}\n{name}')
            caption_colors.append(label_color(label, colors)
                                  if 0 <= label < len(classes) else '0.4')
        else:
            captions.append(str(f))
    draw_skeleton_strip(strip_ax, keypoint, frames, view=view,
                        up_axis=up_axis,
                        camera_frames=run_start_frames(frame_labels, frames)
                        if has_labels else None,
                        captions=captions,
                        caption_colors=caption_colors or None)
    if has_labels:
        present = draw_label_timeline(time_ax, frame_labels, classes,
                                      colors=colors)
        if frame_range is not None:
            time_ax.axvspan(*frame_range, ymin=0, ymax=1, facecolor='none',
                            edgecolor='black', lw=1.5)
        time_ax.plot(frames + 0.5, np.full(len(frames), 1.15), 'v',
                     color='black', ms=5, clip_on=False)
        time_ax.set_ylim(0, 1)
        time_ax.set_yticks([])
        time_ax.set_xlabel('frame')
        add_class_legend(time_ax, classes, present, colors=colors,
                         unlabelled=bool(np.any(frame_labels < 0)),
                         loc='upper center', bbox_to_anchor=(0.5, -0.6),
                         ncol=min(8, len(present) + 2), fontsize=8,
                         frameon=False)
    if title:
        figure.suptitle(title)
    return figure

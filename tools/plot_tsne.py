"""t-SNE of frame features, one colour per frame class (background grey).

Frame features are those the KNN evaluation uses:
``model.extract_feat(inputs)[level]`` linearly interpolated back to the
input frames and L2-normalised
(:func:`~snippet_plugin.evaluation.functional.knn.frame_level_features`),
over the real, labelled frames of one split of the config's test dataset
(its pipeline, ``label_mode='frame'``). At most ``--max-frames`` frames, a
seeded uniform subset, are embedded. Works for localizers and for
pretrained encoders (any model with ``extract_feat``).

Needs scikit-learn (``pip install scikit-learn``).

Example::

    python tools/plot_tsne.py \\
        configs/quickstart/snippet_skeletonclr_stgcn_mocapmix.py \\
        work_dirs/snippet/epoch_40.pth --split val --out work_dirs/tsne.png
"""
import argparse
import copy
from typing import Sequence, Tuple

import numpy as np
import torch
from matplotlib.figure import Figure
from mmengine.dataset import pseudo_collate

from mmaction.registry import DATASETS
from snippet_plugin.apis import init_localizer
from snippet_plugin.apis.inference import inference_dataset_config
from snippet_plugin.evaluation.functional.knn import (
    RandomFrameSubset, frame_level_features)
from snippet_plugin.visualization import (add_class_legend, class_colors,
                                          save_figure)
from snippet_plugin.visualization.skeleton_plot import label_color
from snippet_plugin.utils.output_paths import exit_on_unwritable_output


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint of that config')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--split', default='val',
                        help='split of the test dataset (default val)')
    parser.add_argument('--max-frames', type=int, default=3000,
                        help='frames embedded at most (default 3000)')
    parser.add_argument('--level', type=int, default=-1,
                        help='backbone level of extract_feat (default -1)')
    parser.add_argument('--perplexity', type=float, default=30.0)
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the frame subset and of t-SNE')
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def build_split(cfg, split: str):
    """The config's test dataset, restricted to ``split``, frame labels."""
    dataset = copy.deepcopy(dict(inference_dataset_config(cfg)))
    dataset.update(split=split, label_mode='frame', test_mode=True)
    return DATASETS.build(dataset)


def collect_frame_features(model: torch.nn.Module, dataset, level: int,
                           max_frames, seed: int
                           ) -> Tuple[np.ndarray, np.ndarray]:
    """Features and labels of the real, labelled frames of ``dataset``.

    Args:
        model: A model with ``data_preprocessor`` and ``extract_feat``.
        dataset: Items packed by ``PackUntrimmedPoseInputs``.
        level: Backbone level.
        max_frames: Frames kept at most, a seeded uniform subset
            (:class:`RandomFrameSubset`); None keeps all, in dataset order.
        seed: Seed of the subset.

    Returns:
        tuple: float32 ``(P, C)`` features and int64 ``(P,)`` labels
        (class id or background ``K``).
    """
    subset = RandomFrameSubset(max_frames, seed)
    for index in range(len(dataset)):
        features, [sample] = frame_level_features(
            model, pseudo_collate([dataset[index]]), level)
        keep = sample.frame_mask.bool() & (sample.gt_frame_labels >= 0)
        subset.add(features[0][keep.to(features.device)].cpu(),
                   sample.gt_frame_labels[keep].cpu())
    memory = subset.gather()
    return memory.features.numpy(), memory.labels.numpy()


def tsne_embedding(features: np.ndarray, perplexity: float,
                   seed: int) -> np.ndarray:
    """2-D t-SNE ``(P, 2)`` of ``features (P, C)`` (scikit-learn; the
    perplexity is capped below ``P``, as t-SNE requires).

    Raises:
        ImportError: without scikit-learn, saying how to install it.
    """
    try:
        from sklearn.manifold import TSNE
    except ImportError as err:
        raise ImportError('plot_tsne needs scikit-learn for t-SNE: '
                          'pip install scikit-learn') from err
    perplexity = min(perplexity, max(1.0, (len(features) - 1) / 3))
    return TSNE(n_components=2, perplexity=perplexity, init='pca',
                random_state=seed).fit_transform(features)


def plot_embedding(embedding: np.ndarray, labels: np.ndarray,
                   classes: Sequence[str], title: str) -> Figure:
    """One scatter per frame label (class colours, background grey,
    drawn first), with a class legend.

    Args:
        embedding: ``(P, 2)``.
        labels: ``(P,)`` class ids, background ``K``.
        classes: The ``K`` class names.
        title: Axes title.
    """
    colors = class_colors(len(classes))
    figure = Figure(figsize=(8, 7), layout='constrained')
    ax = figure.subplots()
    present = sorted(int(c) for c in np.unique(labels))
    order = ([len(classes)] if len(classes) in present else []) + [
        c for c in present if c < len(classes)]
    for label in order:
        points = embedding[labels == label]
        ax.scatter(points[:, 0], points[:, 1], s=4,
                   color=label_color(label, colors), label=str(label))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    add_class_legend(ax, classes, [c for c in order if c < len(classes)],
                     colors=colors, background=len(classes) in present,
                     loc='center left', bbox_to_anchor=(1.0, 0.5),
                     frameon=False, fontsize=8)
    return figure


def main(argv=None) -> None:
    """Embed the frames of a split and draw them."""
    args = parse_args(argv)
    model = init_localizer(args.config, args.checkpoint, device=args.device)
    dataset = build_split(model.cfg, args.split)
    features, labels = collect_frame_features(
        model, dataset, args.level, args.max_frames, args.seed)
    embedding = tsne_embedding(features, args.perplexity, args.seed)
    classes = list(dataset.metainfo['classes'])
    title = (f't-SNE of {len(labels)} {args.split} frames, level '
             f'{args.level}')
    figure = plot_embedding(embedding, labels, classes, title)
    print(f'wrote {save_figure(figure, args.out)}')


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

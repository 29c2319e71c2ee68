"""Compare the localization results of several models side by side.

Reads the predictions that ``tools/test.py CONFIG CKPT --dump preds.pkl``
wrote for each model, prints a table of mAP at every tIoU threshold, their
average, frame accuracy, edit, F1@{10,25,50} and the number of predicted
segments (scored by ``TemporalLocalizationMetric`` itself) under each
post-processing protocol: the smoothed one, with the window each model
chose on training data, and the paper's unsmoothed one. It draws the
ground truth above each model's frame-wise predictions for one sequence
(the paper's Fig. 4).

Example::

    python tools/analysis/compare_localization.py \\
        --result SkeletonCLR=work_dirs/demo/skeletonclr_knn.pkl \\
        --result "SkeletonCLR + snippets"=work_dirs/demo/snippet_knn.pkl \\
        --ann-file data/mocapmix/mocapmix.pkl --out timeline.png

The dumps are pickles: only read files you wrote yourself.
"""
import argparse
from typing import Dict, List, Sequence

import numpy as np
from mmengine.fileio import load

from snippet_plugin.datasets.annotation import (derive_frame_labels,
                                                load_annotations)
from snippet_plugin.evaluation import TemporalLocalizationMetric
from snippet_plugin.evaluation.functional import DEFAULT_TIOU_THRESHOLDS
from snippet_plugin.visualization import plot_label_timelines, save_figure
from snippet_plugin.utils.output_paths import exit_on_unwritable_output


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--result',
        action='append',
        required=True,
        metavar='NAME=DUMP',
        help='a model name and its dumped predictions; repeat per model')
    parser.add_argument(
        '--ann-file', required=True, help='annotation file (class names)')
    parser.add_argument(
        '--sample',
        default='0',
        help='frame_dir of the sequence to draw, or its index in the dump')
    parser.add_argument('--out', help='timeline PNG to write')
    return parser.parse_args(argv)


def parse_results(pairs: Sequence[str]) -> Dict[str, str]:
    """``NAME=PATH`` strings -> ordered ``{name: path}``."""
    results = {}
    for pair in pairs:
        name, sep, path = pair.partition('=')
        if not sep or not name or not path:
            raise ValueError(f'--result {pair!r}: expected NAME=DUMP')
        results[name] = path
    return results


PROTOCOLS = (
    ('smoothed (window chosen on training data)', False),
    ("paper's post-processing (unsmoothed)", True),
)
"""Title of each table and the metric's ``unsmoothed`` flag."""
FRAME_COLUMNS = ('acc', 'edit', 'F1@10', 'F1@25', 'F1@50')


def map_table(results: Dict[str, List[dict]], classes: Sequence[str],
              unsmoothed: bool = False,
              thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS) -> str:
    """One row per model: its smoothing window, mAP (%) at each threshold
    and their average, the frame scores and the number of predicted
    segments, scored by ``TemporalLocalizationMetric`` itself (which also
    logs per-class AP); ``unsmoothed`` scores the paper's post-processing.
    """
    header = (['model', 'window'] + [f'mAP@{t:g}' for t in thresholds] +
              ['avg', *FRAME_COLUMNS, 'segments'])
    rows = []
    key = 'unsmoothed_pred_segments' if unsmoothed else 'pred_segments'
    for name, samples in results.items():
        metric = TemporalLocalizationMetric(tiou_thresholds=thresholds,
                                            unsmoothed=unsmoothed)
        metric.dataset_meta = dict(classes=list(classes))
        metric.process(None, samples)
        scores = metric.compute_metrics(metric.results)
        window = scores.get('smoothing_s')
        count = sum(len(s.get(key, s.get('pred_segments', [])))
                    for s in samples)
        rows.append([name, '-' if window is None else f'{window:g} s'] +
                    [f'{scores[f"mAP@{t:g}"]:.1f}' for t in thresholds] +
                    [f'{scores["mAP_avg"]:.1f}'] +
                    [f'{scores[c]:.1f}' if c in scores else '-'
                     for c in FRAME_COLUMNS] + [str(count)])
    widths = [max(len(r[c]) for r in [header] + rows)
              for c in range(len(header))]
    lines = ['  '.join(cell.ljust(w) if c == 0 else cell.rjust(w)
                       for c, (cell, w) in enumerate(zip(row, widths)))
             for row in [header] + rows]
    lines.insert(1, '-' * len(lines[0]))
    return '\n'.join(lines)


def protocol_tables(results: Dict[str, List[dict]],
                    classes: Sequence[str]) -> str:
    """:func:`map_table` under each of :data:`PROTOCOLS`, titled; the
    smoothed table only when some model smoothed."""
    smoothed = any(s.get('smoothing_s') is not None
                   for samples in results.values() for s in samples)
    return '\n\n'.join(f'{title}\n{map_table(results, classes, unsmoothed)}'
                       for title, unsmoothed in PROTOCOLS
                       if smoothed or unsmoothed)


def pick_sample(samples: List[dict], key: str) -> dict:
    """The sample named ``key`` (frame_dir), or at index ``key``."""
    by_name = {s['frame_dir']: s for s in samples}
    if key in by_name:
        return by_name[key]
    if key.isdigit() and int(key) < len(samples):
        return samples[int(key)]
    raise KeyError(f'--sample {key!r}: no such frame_dir or index among '
                   f'{len(samples)} dumped samples')


def draw_timelines(results: Dict[str, List[dict]], classes: Sequence[str],
                   key: str, out: str) -> None:
    """Ground truth above each model's frame predictions, to ``out``."""
    first = pick_sample(next(iter(results.values())), key)
    name, frames = first['frame_dir'], int(first['total_frames'])
    rows = [('ground truth',
             derive_frame_labels(
                 np.asarray(first['gt_segments']).reshape(-1, 3), frames,
                 len(classes)))]
    for model, samples in results.items():
        rows.append((model, np.asarray(
            pick_sample(samples, name)['pred_frame_labels'])))
    figure = plot_label_timelines(
        rows, classes,
        title=f'{name}: ground truth and frame-wise predictions')
    save_figure(figure, out)


def main(argv=None) -> None:
    """Print the mAP table and draw the timeline."""
    args = parse_args(argv)
    classes = load_annotations(args.ann_file)['meta']['classes']
    results = {name: load(path)
               for name, path in parse_results(args.result).items()}
    print(protocol_tables(results, classes))
    if args.out:
        draw_timelines(results, classes, args.sample, args.out)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

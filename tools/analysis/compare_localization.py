"""Compare the localization results of several models side by side.

Reads the predictions that ``tools/test.py CONFIG CKPT --dump preds.pkl``
wrote for each model, prints one table of mAP at every tIoU threshold and
their average (scored by ``TemporalLocalizationMetric`` itself), and draws
the ground truth above each model's frame-wise predictions for one sequence
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


def map_table(results: Dict[str, List[dict]], classes: Sequence[str],
              thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS) -> str:
    """One row per model: mAP (%) at each threshold and the average, scored
    by ``TemporalLocalizationMetric`` itself (which also logs per-class AP).
    """
    header = ['model'] + [f'mAP@{t:g}' for t in thresholds] + ['avg']
    rows = []
    for name, samples in results.items():
        metric = TemporalLocalizationMetric(tiou_thresholds=thresholds)
        metric.dataset_meta = dict(classes=list(classes))
        metric.process(None, samples)
        scores = metric.compute_metrics(metric.results)
        rows.append([name] + [f'{scores[f"mAP@{t:g}"]:.1f}'
                              for t in thresholds] +
                    [f'{scores["mAP_avg"]:.1f}'])
    widths = [max(len(r[c]) for r in [header] + rows)
              for c in range(len(header))]
    lines = ['  '.join(cell.ljust(w) if c == 0 else cell.rjust(w)
                       for c, (cell, w) in enumerate(zip(row, widths)))
             for row in [header] + rows]
    lines.insert(1, '-' * len(lines[0]))
    return '\n'.join(lines)


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
    print(map_table(results, classes))
    if args.out:
        draw_timelines(results, classes, args.sample, args.out)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

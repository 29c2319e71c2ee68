"""Mean ± std of the final localization metrics over repeated runs.

Each run is a work dir written by ``tools/train.py`` (its last validation
metrics are read from ``<timestamp>/vis_data/scalars.json``) or by
``tools/test.py`` (``<timestamp>/<timestamp>.json``). Runs are
grouped by name, the part of the work dir's name before ``_seed``. One
table per post-processing protocol the runs report (:data:`PROTOCOLS`: the
smoothed one, then the paper's). Columns: the smoothing window; mAP at each
tIoU and their average; frame accuracy, edit and F1@{10,25,50} when every
run logged them (Stage-2 and KNN runs do); the wall time of the run (first
to last line of its newest ``<timestamp>/<timestamp>.log``) when every run
has a log. ``--paired GROUP:BASELINE`` adds, per protocol, the differences
in average mAP between two groups' runs of the same seed (the ``_seed<k>``
suffix), their mean and how many are positive.

Example::

    python tools/analysis/summarize_runs.py work_dirs/seeds/*_seed*
    python tools/analysis/summarize_runs.py --markdown work_dirs/stage2_seeds/*_seed?
    python tools/analysis/summarize_runs.py --markdown work_dirs/stage2_seeds/*_seed? \
        --paired linear_snippet_skeletonclr_stgcn_mocapmix:linear_skeletonclr_stgcn_mocapmix
"""
import argparse
import json
import os.path as osp
import re
from collections import defaultdict
from datetime import datetime
from glob import glob
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

AVERAGE_MAP = 'tal/mAP_avg'
METRICS = ('tal/mAP@0.1', 'tal/mAP@0.2', 'tal/mAP@0.3', 'tal/mAP@0.4',
           'tal/mAP@0.5', AVERAGE_MAP)
#: Logged by runs whose predictions carry frame labels; shown when every run
#: has them.
FRAME_METRICS = ('tal/acc', 'tal/edit', 'tal/F1@10', 'tal/F1@25',
                 'tal/F1@50')
SMOOTHING = 'tal/smoothing_s'
UNSMOOTHED = 'tal_unsmoothed/'
PROTOCOLS = ('smoothed', 'paper')
"""Post-processing protocols a run may report: ``'smoothed'`` (the frame
scores averaged over a window chosen on training data; metrics ``tal/...``
with ``tal/smoothing_s``) and ``'paper'`` (no smoothing: ``tal/...`` of a
run that does not smooth, ``tal_unsmoothed/...`` of one that does)."""
PROTOCOL_TITLES = dict(
    smoothed='Smoothed post-processing (window chosen on training data)',
    paper="Paper's post-processing (unsmoothed)")
WALL_TIME = 'wall_s'
LOG_TIME = re.compile(r'^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) - ')
SEED_SUFFIX = re.compile(r'_seed(\d+)$')


def logged_records(work_dir: str) -> Iterator[dict]:
    """Every record a work dir logged, oldest run (timestamp folder) first:
    the lines of ``tools/train.py``'s ``vis_data/scalars.json``, then the
    metrics ``tools/test.py`` writes to ``<timestamp>.json``."""
    for folder in sorted(glob(osp.join(work_dir, '*', ''))):
        stamp = osp.basename(osp.normpath(folder))
        for path in (osp.join(folder, 'vis_data', 'scalars.json'),
                     osp.join(folder, f'{stamp}.json')):
            if osp.isfile(path):
                with open(path) as f:
                    yield from (json.loads(line) for line in f
                                if line.strip())


def final_metrics(work_dir: str) -> Dict[str, float]:
    """The last logged record holding every metric of :data:`METRICS`."""
    found = None
    for record in logged_records(work_dir):
        if all(key in record for key in METRICS):
            found = record
    if found is None:
        raise FileNotFoundError(f'{work_dir}: no validation metrics logged')
    metrics = {key: value for key, value in found.items()
               if key.startswith(('tal/', UNSMOOTHED))}
    seconds = wall_time(work_dir)
    if seconds is not None:
        metrics[WALL_TIME] = seconds
    return metrics


def protocol_view(record: Dict[str, float],
                  protocol: str) -> Optional[Dict[str, float]]:
    """A run's metrics under one of :data:`PROTOCOLS`, keyed ``tal/...``
    (and the wall time); None when the run does not report it."""
    if protocol not in PROTOCOLS:
        raise ValueError(f'protocol must be one of {PROTOCOLS}, got '
                         f'{protocol!r}')
    smoothed = SMOOTHING in record or any(k.startswith(UNSMOOTHED)
                                          for k in record)
    if protocol == 'smoothed':
        return dict(record) if smoothed else None
    if not smoothed:
        return dict(record)
    view = {'tal/' + key[len(UNSMOOTHED):]: value
            for key, value in record.items() if key.startswith(UNSMOOTHED)}
    view.update({key: value for key, value in record.items()
                 if not key.startswith(('tal/', UNSMOOTHED))})
    return view


def wall_time(work_dir: str) -> Optional[float]:
    """Seconds from the first to the last timestamped line of the newest
    ``<timestamp>/<timestamp>.log`` of a work dir (None without a log)."""
    logs = sorted(glob(osp.join(work_dir, '*', '*.log')))
    if not logs:
        return None
    with open(logs[-1]) as f:
        stamps = [match.group(1) for match in map(LOG_TIME.match, f)
                  if match]
    if not stamps:
        return None
    first, last = (datetime.strptime(s, '%Y/%m/%d %H:%M:%S')
                   for s in (stamps[0], stamps[-1]))
    return (last - first).total_seconds()


def group_name(work_dir: str) -> str:
    """``.../snippet_x_seed2`` -> ``snippet_x``."""
    return osp.basename(osp.normpath(work_dir)).rsplit('_seed', 1)[0]


def run_seed(work_dir: str) -> Optional[int]:
    """``.../snippet_x_seed2`` -> 2; None for a name without a seed."""
    match = SEED_SUFFIX.search(osp.basename(osp.normpath(work_dir)))
    return int(match.group(1)) if match else None


def shared_columns(records: Sequence[Dict[str, float]]) -> List[str]:
    """The smoothing window, :data:`METRICS`, then the keys of
    :data:`FRAME_METRICS` and the wall time, each where every record holds
    it."""
    return [key for key in (SMOOTHING, ) if all(key in r for r in records)
            ] + list(METRICS) + [
        key for key in FRAME_METRICS + (WALL_TIME, )
        if all(key in r for r in records)
    ]


def mean_and_std(group: Sequence[Dict[str, float]],
                 key: str) -> Tuple[float, float]:
    """Mean and sample standard deviation (0 for one run) of ``key``."""
    values = np.array([r[key] for r in group], dtype=float)
    spread = values.std(ddof=1) if len(values) > 1 else 0.0
    return float(values.mean()), float(spread)


def mean_std_cell(group: Sequence[Dict[str, float]], key: str) -> str:
    """``mean ± std`` of ``key`` over a group, the value alone for one run
    (whole seconds for the wall time, one decimal otherwise)."""
    digits = 0 if key == WALL_TIME else 2 if key == SMOOTHING else 1
    mean, spread = mean_and_std(group, key)
    if len(group) == 1:
        return f'{mean:.{digits}f}'
    return f'{mean:.{digits}f} ± {spread:.{digits}f}'


def column_name(key: str) -> str:
    """``tal/mAP@0.1`` -> ``mAP@0.1``; ``tal/smoothing_s`` -> ``window
    (s)``."""
    return 'window (s)' if key == SMOOTHING else key.split('/')[-1]


def protocol_runs(runs: Dict[str, List[Dict[str, float]]],
                  protocol: str) -> Dict[str, List[Dict[str, float]]]:
    """The groups' runs under ``protocol`` (:func:`protocol_view`), leaving
    out the runs, and then the groups, that do not report it."""
    viewed = {name: [v for v in (protocol_view(r, protocol) for r in group)
                     if v is not None] for name, group in runs.items()}
    return {name: group for name, group in viewed.items() if group}


def summary_table(runs: Dict[str, List[Dict[str, float]]],
                  markdown: bool = False) -> str:
    """One row per group: ``mean ± std`` (sample std) of each metric.

    Columns: :func:`shared_columns`. ``markdown`` gives a GitHub table
    instead of aligned text.
    """
    keys = shared_columns([r for group in runs.values() for r in group])
    header = ['model', 'runs'] + [column_name(key) for key in keys]
    rows = [[name, str(len(group))] +
            [mean_std_cell(group, key) for key in keys]
            for name, group in runs.items()]
    return format_table(header, rows, markdown)


def paired_differences(rows: Dict[str, List[Dict[str, float]]], row: str,
                       baseline: str, protocol: str) -> Dict[int, float]:
    """``{seed: row's average mAP - baseline's}`` under ``protocol``, over
    the seeds both rows have a run of (empty if either has none; a run
    without a seed pairs with nothing)."""
    viewed = protocol_runs(rows, protocol)
    by_seed = [{r['seed']: r[AVERAGE_MAP] for r in viewed.get(name, ())
                if r['seed'] is not None} for name in (row, baseline)]
    return {seed: by_seed[0][seed] - by_seed[1][seed]
            for seed in sorted(set(by_seed[0]) & set(by_seed[1]))}


def paired_table(rows: Dict[str, List[Dict[str, float]]],
                 comparisons: Sequence[Tuple[str, str]]) -> str:
    """Markdown: per comparison with a shared seed under every protocol,
    the seeds, then per protocol the differences in average mAP seed by
    seed, their mean and how many are positive (``''`` when no comparison
    has one)."""
    protocols = [p for p in PROTOCOLS if protocol_runs(rows, p)]
    body = []
    for row, baseline in comparisons:
        diffs = [paired_differences(rows, row, baseline, p)
                 for p in protocols]
        if not diffs or not all(diffs):
            continue
        cells = [f'{row} - {baseline}', ', '.join(map(str, diffs[0]))]
        for diff in diffs:
            values = list(diff.values())
            cells += [', '.join(f'{v:+.1f}' for v in values),
                      f'{sum(values) / len(values):+.1f}',
                      f'{sum(v > 0 for v in values)} of {len(values)}']
        body.append(cells)
    if not body:
        return ''
    header = ['difference', 'seeds'] + [
        f'{p} {column}' for p in protocols
        for column in ('per seed', 'mean', 'positive')]
    return format_table(header, body, markdown=True)


def format_table(header: List[str], rows: List[List[str]],
                 markdown: bool = False) -> str:
    """A GitHub markdown table, or aligned plain text."""
    if markdown:
        lines = [header, ['---'] * len(header)] + rows
        return '\n'.join('| ' + ' | '.join(row) + ' |' for row in lines)
    widths = [max(len(r[c]) for r in [header] + rows)
              for c in range(len(header))]
    return '\n'.join('  '.join(cell.ljust(w) for cell, w in zip(row, widths))
                     for row in [header] + rows)


def main(argv=None) -> None:
    """Print the table for the work dirs given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dirs', nargs='+')
    parser.add_argument(
        '--markdown', action='store_true', help='print a markdown table')
    parser.add_argument(
        '--paired', nargs='+', default=[], metavar='GROUP:BASELINE',
        help='also print the paired differences in average mAP (same '
        'seed) of each GROUP against its BASELINE group')
    args = parser.parse_args(argv)
    comparisons = [tuple(pair.split(':')) for pair in args.paired]
    malformed = [p for p, c in zip(args.paired, comparisons) if len(c) != 2]
    if malformed:
        parser.error(f'--paired {" ".join(malformed)}: each is '
                     'GROUP:BASELINE')
    runs = defaultdict(list)
    for work_dir in args.work_dirs:
        runs[group_name(work_dir)].append(
            dict(final_metrics(work_dir), seed=run_seed(work_dir)))
    unknown = sorted({name for pair in comparisons for name in pair} -
                     set(runs))
    if unknown:
        parser.error(f'--paired names groups without runs: '
                     f'{", ".join(unknown)}')
    tables = []
    for protocol in PROTOCOLS:
        viewed = protocol_runs(runs, protocol)
        if viewed:
            tables.append(f'{PROTOCOL_TITLES[protocol]}\n\n' +
                          summary_table(viewed, markdown=args.markdown))
    paired = paired_table(runs, comparisons)
    if paired:
        tables.append('Paired differences in average mAP (same seed)\n\n' +
                      paired)
    print('\n\n'.join(tables))


if __name__ == '__main__':
    main()

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
suffix), their mean and how many are positive. ``--csv OUT`` writes every
run (and each group's mean and std) to a CSV; ``--earlier CSV ...`` tables
the runs of such CSVs beside the work dirs, e.g. seeds run in another
session whose work dirs are gone (a work dir given supersedes its earlier
line of the same name).

Example::

    python tools/analysis/summarize_runs.py work_dirs/seeds/*_seed*
    python tools/analysis/summarize_runs.py --markdown work_dirs/stage2_seeds/*_seed?
    python tools/analysis/summarize_runs.py --markdown work_dirs/stage2_seeds/*_seed? \\
        --paired linear_snippet_skeletonclr_stgcn_mocapmix:linear_skeletonclr_stgcn_mocapmix
    python tools/analysis/summarize_runs.py work_dirs/stage2/*_seed[234] \\
        --earlier seeds01.csv --csv seeds01234.csv
"""
import argparse
import csv
import io
import json
import os.path as osp
import re
from collections import defaultdict
from datetime import datetime
from glob import glob
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from snippet_plugin.utils.atomic_io import atomic_write
from snippet_plugin.utils.output_paths import exit_on_unwritable_output

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


CSV_COLUMNS = (SMOOTHING, ) + METRICS + FRAME_METRICS
"""The metrics of a runs CSV: the smoothing window, mAP@0.1..0.5, their
average, frame accuracy, edit, F1@{10,25,50} (empty where a run has
none)."""
CSV_HEAD = ['row', 'protocol', 'kind', 'run', 'seed']


RowMark = Tuple[str, Callable[[str, Dict[str, List[Dict[str, float]]]], str]]
"""A last CSV column: its name, and ``mark(row, rows under a protocol)``."""


def runs_csv(rows: Dict[str, List[Dict[str, float]]],
             mark: Optional[RowMark] = None) -> str:
    """A CSV of every run of ``rows`` (groups of records with ``seed`` and
    ``name``), readable back by :func:`read_runs_csv`.

    Per protocol (:data:`PROTOCOLS`): every run, then each row's mean and
    (over several runs) sample std, one line each, metrics
    :data:`CSV_COLUMNS` to 4 decimals; ``run`` holds the work dir's name,
    or the run count. ``mark`` (:data:`RowMark`) adds a last column, the
    same on each line of a row.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(CSV_HEAD + [column_name(key) for key in CSV_COLUMNS] +
                    ([mark[0]] if mark else []))
    for protocol in PROTOCOLS:
        viewed = protocol_runs(rows, protocol)
        for row, group in viewed.items():
            marks = [mark[1](row, viewed)] if mark else []
            keys = [key if all(key in r for r in group) else None
                    for key in CSV_COLUMNS]
            for record in group:
                writer.writerow(
                    [row, protocol, 'run', record['name'],
                     '' if record['seed'] is None else record['seed']] +
                    ['' if key is None else f'{record[key]:.4f}'
                     for key in keys] + marks)
            stats = [key and mean_and_std(group, key) for key in keys]
            writer.writerow([row, protocol, 'mean', len(group), ''] +
                            [f'{s[0]:.4f}' if s else '' for s in stats] +
                            marks)
            if len(group) > 1:
                writer.writerow([row, protocol, 'std', len(group), ''] +
                                [f'{s[1]:.4f}' if s else '' for s in stats]
                                + marks)
    return out.getvalue()


def read_runs_csv(path: str, rows: Optional[Sequence[str]] = None,
                  mark_column: Optional[str] = None
                  ) -> Dict[str, List[Dict[str, float]]]:
    """The ``run`` lines of a CSV :func:`runs_csv` wrote (e.g. seeds run in
    another session), grouped by row (``mean`` and ``std`` lines are
    recomputed by whoever tables them, not read).

    Each run becomes one record keyed as the run logged it, with ``seed``
    and ``name``: its smoothed protocol under ``tal/`` (the window under
    ``tal/smoothing_s``) and the paper's under ``tal_unsmoothed/``; a run
    with the paper's protocol only did not smooth, so its metrics are under
    ``tal/``. Empty cells are metrics the run lacked.

    Args:
        path: The CSV.
        rows: The rows a line may name (None: any).
        mark_column: The last column :func:`runs_csv` was given, if any.

    Raises:
        ValueError: naming the file and line: a header that is not
            :func:`runs_csv`'s, a row not in ``rows``, an unknown protocol,
            a value that is not a number, or a run listed twice under a
            protocol.
    """
    keys = {column_name(key): key for key in CSV_COLUMNS}
    header = CSV_HEAD + list(keys) + ([mark_column] if mark_column else [])
    with open(path, newline='') as f:
        lines = list(csv.reader(f))
    if not lines or lines[0] != header:
        raise ValueError(f'{path}: not a runs CSV of this kind (its header '
                         f'should be {",".join(header)})')
    views: Dict[Tuple[str, str], Dict[str, Dict[str, float]]] = {}
    seeds: Dict[Tuple[str, str], Optional[int]] = {}
    for number, line in enumerate(lines[1:], start=2):
        cells = dict(zip(header, line))
        where = f'{path}, line {number}'
        if len(line) != len(header):
            raise ValueError(f'{where}: {len(line)} cells, expected '
                             f'{len(header)}')
        if cells['kind'] != 'run':
            continue
        if rows is not None and cells['row'] not in rows:
            raise ValueError(f'{where}: row {cells["row"]!r} is not a row '
                             f'of this table ({", ".join(rows)})')
        if cells['protocol'] not in PROTOCOLS:
            raise ValueError(f'{where}: protocol {cells["protocol"]!r} is '
                             f'not one of {", ".join(PROTOCOLS)}')
        try:
            metrics = {key: float(cells[column])
                       for column, key in keys.items() if cells[column]}
            seed = int(cells['seed']) if cells['seed'] else None
        except ValueError as err:
            raise ValueError(f'{where}: {err}') from None
        run = (cells['row'], cells['run'])
        protocols = views.setdefault(run, {})
        if cells['protocol'] in protocols:
            raise ValueError(f'{where}: run {cells["run"]} is listed twice '
                             f'under the {cells["protocol"]} protocol')
        protocols[cells['protocol']] = metrics
        seeds[run] = seed
    grouped: Dict[str, List[Dict[str, float]]] = {}
    for (row, name), protocols in views.items():
        record = dict(protocols.get('smoothed', {}))
        paper = protocols.get('paper', {})
        if record:
            paper = {UNSMOOTHED + key[len('tal/'):]: value
                     for key, value in paper.items()}
        record.update(paper)
        grouped.setdefault(row, []).append(
            dict(record, seed=seeds[(row, name)], name=name))
    return grouped


def with_earlier_runs(rows: Dict[str, List[Dict[str, float]]],
                      earlier: Dict[str, List[Dict[str, float]]],
                      order: Sequence[str]
                      ) -> Dict[str, List[Dict[str, float]]]:
    """``rows`` joined by the earlier runs whose names no run of ``rows``
    has (a run measured now supersedes its earlier line), rows in
    ``order``, each row's runs by seed (a seedless run first)."""
    names = {run['name'] for group in rows.values() for run in group}
    merged = {row: list(rows.get(row, ())) + [
        run for run in earlier.get(row, ()) if run['name'] not in names]
        for row in order}
    return {row: sorted(group, key=lambda run: (run['seed'] is not None,
                                                run['seed'] or 0))
            for row, group in merged.items() if group}


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


def add_earlier_option(parser: argparse.ArgumentParser, writer: str,
                       newer: str) -> None:
    """``--earlier CSV ...``: runs CSVs (:func:`runs_csv`) that ``writer``
    wrote before; ``newer`` says what supersedes an earlier line of the
    same name."""
    parser.add_argument(
        '--earlier', nargs='+', default=[], metavar='CSV',
        help=f'also table the runs of CSVs that {writer} wrote before, '
        f'e.g. seeds run in another session; {newer} supersedes its '
        'earlier line')


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
    parser.add_argument(
        '--csv', metavar='OUT', help='also write every run, and each '
        "group's mean and std, to this CSV (readable by --earlier)")
    add_earlier_option(parser, '--csv', 'a work dir given here')
    args = parser.parse_args(argv)
    comparisons = [tuple(pair.split(':')) for pair in args.paired]
    malformed = [p for p, c in zip(args.paired, comparisons) if len(c) != 2]
    if malformed:
        parser.error(f'--paired {" ".join(malformed)}: each is '
                     'GROUP:BASELINE')
    runs = defaultdict(list)
    for work_dir in args.work_dirs:
        runs[group_name(work_dir)].append(
            dict(final_metrics(work_dir), seed=run_seed(work_dir),
                 name=osp.basename(osp.normpath(work_dir))))
    for path in args.earlier:
        try:
            earlier = read_runs_csv(path)
        except (OSError, ValueError) as err:
            parser.error(f'--earlier: {err}')
        runs = with_earlier_runs(runs, earlier,
                                 list(dict.fromkeys([*runs, *earlier])))
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
    if args.csv:
        atomic_write(args.csv, runs_csv(runs).encode())
        print(f'\nCSV: {args.csv}')


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

"""Mean ± std of the final localization metrics over repeated runs.

Each run is a work dir written by ``tools/train.py`` (its last validation
metrics are read from ``<timestamp>/vis_data/scalars.json``). Runs are
grouped by name, the part of the work dir's name before ``_seed``. Columns:
mAP at each tIoU and their average; frame accuracy, edit and F1@50 when
every run logged them (Stage-2 and KNN runs do); the wall time of the run
(first to last line of its newest ``<timestamp>/<timestamp>.log``) when
every run has a log.

Example::

    python tools/analysis/summarize_runs.py work_dirs/seeds/*_seed*
    python tools/analysis/summarize_runs.py --markdown work_dirs/stage2_seeds/*_seed?
"""
import argparse
import json
import os.path as osp
import re
from collections import defaultdict
from datetime import datetime
from glob import glob
from typing import Dict, List, Optional

import numpy as np

METRICS = ('tal/mAP@0.1', 'tal/mAP@0.2', 'tal/mAP@0.3', 'tal/mAP@0.4',
           'tal/mAP@0.5', 'tal/mAP_avg')
#: Logged by runs whose predictions carry frame labels; shown when every run
#: has them.
FRAME_METRICS = ('tal/acc', 'tal/edit', 'tal/F1@50')
WALL_TIME = 'wall_s'
LOG_TIME = re.compile(r'^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) - ')


def final_metrics(work_dir: str) -> Dict[str, float]:
    """The last logged record holding every metric of :data:`METRICS`."""
    found = None
    for path in sorted(glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json'))):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if all(key in record for key in METRICS):
                    found = record
    if found is None:
        raise FileNotFoundError(f'{work_dir}: no validation metrics logged')
    metrics = {key: found[key] for key in METRICS + FRAME_METRICS
               if key in found}
    seconds = wall_time(work_dir)
    if seconds is not None:
        metrics[WALL_TIME] = seconds
    return metrics


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


def summary_table(runs: Dict[str, List[Dict[str, float]]],
                  markdown: bool = False) -> str:
    """One row per group: ``mean ± std`` (sample std) of each metric.

    Columns: :data:`METRICS`, then those of :data:`FRAME_METRICS` and the
    wall time that every record holds. ``markdown`` gives a GitHub table
    instead of aligned text.
    """
    records = [r for group in runs.values() for r in group]
    keys = list(METRICS) + [
        key for key in FRAME_METRICS + (WALL_TIME, )
        if all(key in r for r in records)
    ]
    header = ['model', 'runs'] + [key.split('/')[-1] for key in keys]
    rows = []
    for name, group in runs.items():
        cells = [name, str(len(group))]
        for key in keys:
            values = np.array([r[key] for r in group])
            spread = values.std(ddof=1) if len(values) > 1 else 0.0
            digits = 0 if key == WALL_TIME else 1
            cells.append(f'{values.mean():.{digits}f} ± {spread:.{digits}f}')
        rows.append(cells)
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
    args = parser.parse_args(argv)
    runs = defaultdict(list)
    for work_dir in args.work_dirs:
        runs[group_name(work_dir)].append(final_metrics(work_dir))
    print(summary_table(runs, markdown=args.markdown))


if __name__ == '__main__':
    main()

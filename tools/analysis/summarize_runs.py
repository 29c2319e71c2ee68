"""Mean ± std of the final localization metrics over repeated runs.

Each run is a work dir written by ``tools/train.py`` (its last validation
metrics are read from ``<timestamp>/vis_data/scalars.json``). Runs are
grouped by name, the part of the work dir's name before ``_seed``.

Example::

    python tools/analysis/summarize_runs.py work_dirs/seeds/*_seed*
"""
import argparse
import json
import os.path as osp
from collections import defaultdict
from glob import glob
from typing import Dict, List

import numpy as np

METRICS = ('tal/mAP@0.1', 'tal/mAP@0.2', 'tal/mAP@0.3', 'tal/mAP@0.4',
           'tal/mAP@0.5', 'tal/mAP_avg')


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
    return {key: found[key] for key in METRICS}


def group_name(work_dir: str) -> str:
    """``.../snippet_x_seed2`` -> ``snippet_x``."""
    return osp.basename(osp.normpath(work_dir)).rsplit('_seed', 1)[0]


def summary_table(runs: Dict[str, List[Dict[str, float]]]) -> str:
    """One row per group: ``mean ± std`` (sample std) of each metric."""
    header = ['model', 'runs'] + [m.split('/')[1] for m in METRICS]
    rows = []
    for name, records in runs.items():
        cells = [name, str(len(records))]
        for key in METRICS:
            values = np.array([r[key] for r in records])
            spread = values.std(ddof=1) if len(values) > 1 else 0.0
            cells.append(f'{values.mean():.1f} ± {spread:.1f}')
        rows.append(cells)
    widths = [max(len(r[c]) for r in [header] + rows)
              for c in range(len(header))]
    return '\n'.join('  '.join(cell.ljust(w) for cell, w in zip(row, widths))
                     for row in [header] + rows)


def main(argv=None) -> None:
    """Print the table for the work dirs given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dirs', nargs='+')
    args = parser.parse_args(argv)
    runs = defaultdict(list)
    for work_dir in args.work_dirs:
        runs[group_name(work_dir)].append(final_metrics(work_dir))
    print(summary_table(runs))


if __name__ == '__main__':
    main()

"""Make the KNN localization table of a dataset, floors included.

For ``--dataset D`` it runs, or collects when a run's final metrics already
exist, every run of the table, then prints a markdown table of mean ± std
over the seeds and writes a CSV:

* the raw-pose floor: ``tools/test.py configs/knn/rawpose_D.py`` (no
  checkpoint, no randomness: one run);
* the random-init encoder: ``tools/test.py
  configs/quickstart/<random-init method>_<backbone>_D.py --random-init
  --seed S`` per seed;
* each method with and without snippets: ``tools/train.py
  configs/quickstart/{,snippet_}<method>_<backbone>_D.py --seed S`` per
  seed, whose final validation is the KNN loop.

Run ``R`` works in ``<work-root>/R`` and logs to ``<work-root>/logs/R.log``;
a run whose work dir holds final metrics is skipped, one with a
``last_checkpoint`` resumes (``--resume``). ``--jobs`` runs at a time, each
with ``--threads`` threads. A method whose average mAP is below either
floor's is marked: it has learned nothing useful for localization.

Example::

    python tools/analysis/knn_table.py --dataset mocapmix --seeds 0 1 2 \\
        --methods skeletonclr aimclr rvtclr --work-root work_dirs/knn_mocapmix \\
        --out docs/results/knn_mocapmix.csv
    python tools/analysis/knn_table.py --dataset mocapmix --dry-run
"""
import argparse
import csv
import io
import os
import os.path as osp
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, NamedTuple, Optional, Sequence

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from summarize_runs import (FRAME_METRICS, METRICS,  # noqa: E402
                            column_name, final_metrics, format_table,
                            mean_and_std, mean_std_cell)

from snippet_plugin.utils.atomic_io import atomic_write  # noqa: E402

COLUMNS = METRICS + FRAME_METRICS
"""mAP@0.1..0.5, their average, frame accuracy, edit, F1@50."""
HEADLINE = 'tal/mAP_avg'
"""The metric a method must beat both floors on."""
FLOOR_ROW = 'raw-pose floor'
RANDOM_ROW = 'random init'
METHOD_NAMES = dict(skeletonclr='SkeletonCLR', aimclr='AimCLR',
                    rvtclr='RVTCLR', hiclr='HiCLR')
FLOOR_NOTE = (f'Rows marked in "below floor" have a lower average mAP than '
              f'the {FLOOR_ROW} (the normalised input, no learning) or the '
              f'{RANDOM_ROW} encoder (no training): such a method has '
              'learned nothing useful for localization.')


class Run(NamedTuple):
    """One run of the table.

    Attributes:
        row: Its table row (runs of a row differ by seed only).
        name: Its work dir's name under the work root.
        seed: Its seed, None for the deterministic floor.
        command: The command that makes it, without ``--resume``.
    """
    row: str
    name: str
    seed: Optional[int]
    command: List[str]


def method_row(method: str, snippets: bool) -> str:
    """``skeletonclr`` -> ``SkeletonCLR`` (``+ snippets``)."""
    name = METHOD_NAMES.get(method, method)
    return f'{name} + snippets' if snippets else name


def plan_runs(dataset: str, methods: Sequence[str], seeds: Sequence[int],
              backbone: str = 'stgcn', random_init_method: str = 'skeletonclr',
              configs: str = 'configs',
              python: str = sys.executable) -> List[Run]:
    """Every run of the table, floors first, in table order.

    Raises:
        FileNotFoundError: naming every config the table needs and lacks.
    """
    def quickstart(prefix: str, method: str) -> str:
        return osp.join(configs, 'quickstart',
                        f'{prefix}{method}_{backbone}_{dataset}.py')

    floor = osp.join(configs, 'knn', f'rawpose_{dataset}.py')
    random_init = quickstart('', random_init_method)
    runs = [Run(FLOOR_ROW, f'rawpose_{dataset}', None,
                [python, 'tools/test.py', floor])]
    runs += [
        Run(RANDOM_ROW, f'random_{backbone}_{dataset}_seed{seed}', seed, [
            python, 'tools/test.py', random_init, '--random-init', '--seed',
            str(seed)
        ]) for seed in seeds
    ]
    needed = [floor, random_init]
    for method in methods:
        for snippets in (False, True):
            config = quickstart('snippet_' if snippets else '', method)
            needed.append(config)
            stem = osp.splitext(osp.basename(config))[0]
            runs += [
                Run(method_row(method, snippets), f'{stem}_seed{seed}', seed,
                    [python, 'tools/train.py', config, '--seed', str(seed)])
                for seed in seeds
            ]
    missing = [path for path in needed if not osp.isfile(path)]
    if missing:
        raise FileNotFoundError(
            f'the {dataset} table needs configs that do not exist: '
            f'{", ".join(sorted(set(missing)))}')
    return runs


def finished_metrics(work_dir: str) -> Optional[Dict[str, float]]:
    """A run's final metrics, or None while it has none."""
    try:
        return final_metrics(work_dir)
    except FileNotFoundError:
        return None


def run_command(run: Run, work_root: str) -> List[str]:
    """The command of a pending run: into its work dir, resuming from its
    last checkpoint if it has one."""
    work_dir = osp.join(work_root, run.name)
    resume = osp.isfile(osp.join(work_dir, 'last_checkpoint'))
    return run.command + ['--work-dir', work_dir] + (['--resume']
                                                     if resume else [])


def log_path(run: Run, work_root: str) -> str:
    """Where a run's stdout and stderr go."""
    return osp.join(work_root, 'logs', f'{run.name}.log')


def dry_run_plan(runs: Sequence[Run], work_root: str, threads: int) -> str:
    """The shell lines of the pending runs; finished runs as comments."""
    lines = []
    for run in runs:
        if finished_metrics(osp.join(work_root, run.name)) is not None:
            lines.append(f'# finished: {osp.join(work_root, run.name)}')
        else:
            lines.append(f'OMP_NUM_THREADS={threads} '
                         f'{shlex.join(run_command(run, work_root))} > '
                         f'{shlex.quote(log_path(run, work_root))} 2>&1')
    return '\n'.join(lines)


def execute(runs: Sequence[Run], work_root: str, jobs: int,
            threads: int) -> List[str]:
    """Run the pending runs, ``jobs`` at a time; return the failed ones'
    log paths."""
    pending = [run for run in runs
               if finished_metrics(osp.join(work_root, run.name)) is None]
    os.makedirs(osp.join(work_root, 'logs'), exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))

    def start(run: Run) -> Optional[str]:
        began = time.time()
        with open(log_path(run, work_root), 'w') as log:
            code = subprocess.run(run_command(run, work_root), stdout=log,
                                  stderr=subprocess.STDOUT, env=env).returncode
        print(f'{run.name}: exit {code} after {time.time() - began:.0f} s',
              flush=True)
        return log_path(run, work_root) if code else None

    print(f'{len(runs) - len(pending)} of {len(runs)} runs finished before; '
          f'running {len(pending)}, {jobs} at a time', flush=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return [log for log in pool.map(start, pending) if log]


def collect(runs: Sequence[Run],
            work_root: str) -> Dict[str, List[Dict[str, float]]]:
    """Final metrics of the finished runs, grouped by row in table order
    (the seed of each run under the key ``'seed'``)."""
    rows: Dict[str, List[Dict[str, float]]] = {}
    for run in runs:
        metrics = finished_metrics(osp.join(work_root, run.name))
        group = rows.setdefault(run.row, [])
        if metrics is not None:
            group.append(dict(metrics, seed=run.seed, name=run.name))
    return {row: group for row, group in rows.items() if group}


def floors_beneath(row: str, rows: Dict[str, List[Dict[str, float]]]) -> str:
    """The floors whose mean average mAP a method row falls below
    (``''`` for a floor row or one above both)."""
    if row in (FLOOR_ROW, RANDOM_ROW):
        return ''
    mean = mean_and_std(rows[row], HEADLINE)[0]
    return ', '.join(floor for floor in (FLOOR_ROW, RANDOM_ROW)
                     if floor in rows
                     and mean < mean_and_std(rows[floor], HEADLINE)[0])


def markdown_table(rows: Dict[str, List[Dict[str, float]]]) -> str:
    """mean ± std of :data:`COLUMNS` per row, runs and the floor mark."""
    header = (['model', 'runs'] + [column_name(key) for key in COLUMNS] +
              ['below floor'])
    body = [[row, str(len(group))] +
            [mean_std_cell(group, key) for key in COLUMNS] +
            [floors_beneath(row, rows)] for row, group in rows.items()]
    return format_table(header, body, markdown=True)


def csv_text(rows: Dict[str, List[Dict[str, float]]]) -> str:
    """Every run, then each row's mean and (over several runs) sample
    std, one line each; ``run`` holds the work dir, or the run count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(['row', 'kind', 'run', 'seed'] +
                    [column_name(key) for key in COLUMNS] + ['below_floor'])
    for row, group in rows.items():
        mark = floors_beneath(row, rows)
        for record in group:
            writer.writerow([row, 'run', record['name'],
                             '' if record['seed'] is None else record['seed']]
                            + [f'{record[key]:.4f}' for key in COLUMNS] +
                            [mark])
        stats = [mean_and_std(group, key) for key in COLUMNS]
        writer.writerow([row, 'mean', len(group), ''] +
                        [f'{mean:.4f}' for mean, _ in stats] + [mark])
        if len(group) > 1:
            writer.writerow([row, 'std', len(group), ''] +
                            [f'{spread:.4f}' for _, spread in stats] + [mark])
    return out.getvalue()


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--dataset', required=True,
                        help='dataset name of the configs, e.g. mocapmix')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--methods', nargs='*',
                        default=['skeletonclr', 'aimclr', 'rvtclr'],
                        help='pretraining methods (none: the floors only)')
    parser.add_argument('--backbone', default='stgcn')
    parser.add_argument('--random-init-method', default='skeletonclr',
                        help='the method whose config gives the random-init '
                        'encoder')
    parser.add_argument('--work-root',
                        help='default: work_dirs/knn_<dataset>')
    parser.add_argument('--out', help='CSV file; default: '
                        '<work-root>/knn_<dataset>.csv')
    parser.add_argument('--jobs', type=int, default=2,
                        help='runs at a time')
    parser.add_argument('--threads', type=int, default=1,
                        help='OMP_NUM_THREADS of each run')
    parser.add_argument('--dry-run', action='store_true',
                        help='print the commands of the pending runs only')
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.threads < 1:
        parser.error('--jobs and --threads must be >= 1')
    args.work_root = args.work_root or osp.join('work_dirs',
                                                f'knn_{args.dataset}')
    args.out = args.out or osp.join(args.work_root,
                                    f'knn_{args.dataset}.csv')
    return args


def main(argv=None) -> int:
    """Plan, run (or print), collect; return the exit status."""
    args = parse_args(argv)
    try:
        runs = plan_runs(args.dataset, args.methods, args.seeds,
                         args.backbone, args.random_init_method)
    except FileNotFoundError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    if args.dry_run:
        print(dry_run_plan(runs, args.work_root, args.threads))
        return 0
    failed = execute(runs, args.work_root, args.jobs, args.threads)
    rows = collect(runs, args.work_root)
    command = shlex.join(['python', 'tools/analysis/knn_table.py'] +
                         list(sys.argv[1:] if argv is None else argv))
    print(f'KNN localization on {args.dataset} (made by `{command}`):\n')
    print(markdown_table(rows))
    print(f'\n{FLOOR_NOTE}')
    atomic_write(args.out, csv_text(rows).encode())
    print(f'CSV: {args.out}')
    if failed:
        print(f'{len(failed)} runs failed, see: {", ".join(failed)}',
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

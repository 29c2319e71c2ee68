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

Runs whose KNN loop smooths (the quick starts and floors) are tabled under
both post-processing protocols: smoothed, with the window each run chose on
its training data (column "window (s)"), and the paper's unsmoothed one.

Run ``R`` works in ``<work-root>/R`` and logs to ``<work-root>/logs/R.log``;
a run whose work dir holds final metrics is skipped, one with a
``last_checkpoint`` resumes (``--resume``); ``--collect-only`` runs
nothing and tables the finished runs. ``--jobs`` runs at a time, each
with ``--threads`` threads. A method whose average mAP is below either
floor's is marked: it has learned nothing useful for localization.
Then come the paired differences in average mAP (same seed) of each snippet
row against its baseline (:func:`snippet_comparisons`): the spread between
seeds is larger than most of these differences, so they are what says
whether the snippet loss helps.

``--earlier CSV ...`` adds the runs of CSVs this tool wrote before, e.g.
seeds run in another session whose work dirs are gone: a row then holds
the runs of both (a run in the work root supersedes its earlier line), and
its mean, std, floor marks and paired differences are over all of them.

Another evaluation setting (e.g. KNN on fused levels) is ``--cfg-options
KEY=VALUE ...`` with a ``--tag``: every row is then a ``tools/test.py``
run given those options (floors included), working in
``<work-root>/<tag>/R``; a method is its training's last checkpoint (the
trainings are shared by all settings and run first if unfinished). The CSV
defaults to ``<work-root>/knn_<dataset>_<tag>.csv``.

Example::

    python tools/analysis/knn_table.py --dataset mocapmix --seeds 0 1 2 \\
        --methods skeletonclr aimclr rvtclr --work-root work_dirs/knn_mocapmix \\
        --out docs/results/knn_mocapmix.csv
    python tools/analysis/knn_table.py --dataset mocapmix --dry-run
    python tools/analysis/knn_table.py --dataset mocapmix --seeds 2 3 4 \\
        --methods aimclr --earlier docs/results/knn_mocapmix_aimclr.csv
    python tools/analysis/knn_table.py --dataset mocapmix --tag fused023 \\
        --cfg-options 'test_cfg.level=[0,2,3]'
"""
import argparse
import os
import os.path as osp
import re
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from summarize_runs import (AVERAGE_MAP, PROTOCOL_TITLES,  # noqa: E402
                            PROTOCOLS, add_earlier_option, column_name,
                            final_metrics, format_table, mean_and_std,
                            mean_std_cell, paired_table, protocol_runs,
                            read_runs_csv, runs_csv, shared_columns,
                            with_earlier_runs)

from snippet_plugin.utils.atomic_io import atomic_write  # noqa: E402
from snippet_plugin.utils.output_paths import (  # noqa: E402
    exit_on_unwritable_output, make_output_folder)

MARK_COLUMN = 'below_floor'
"""The CSV's last column: the floors a row's mean falls below."""
HEADLINE = AVERAGE_MAP
"""The metric a method must beat both floors on."""
FLOOR_ROW = 'raw-pose floor'
RANDOM_ROW = 'random init'
METHOD_NAMES = dict(skeletonclr='SkeletonCLR', aimclr='AimCLR',
                    rvtclr='RVTCLR', hiclr='HiCLR')
"""Row names; a method not named here is its config stem."""
REPLICATE_SUFFIX = '_replicate'
"""``<method>_replicate`` is ``<method>`` with replicate temporal padding
(its ``snippet_`` quick start also matches snippets by shared frames)."""
FLOOR_NOTE = (f'Rows marked in "below floor" have a lower average mAP than '
              f'the {FLOOR_ROW} (the normalised input, no learning) or the '
              f'{RANDOM_ROW} encoder (no training): such a method has '
              'learned nothing useful for localization.')
TRAIN_TOOL = 'tools/train.py'
TEST_TOOL = 'tools/test.py'
TAG_PATTERN = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]*')
"""A tag is a plain folder name."""


class Run(NamedTuple):
    """One run of the table.

    Attributes:
        row: Its table row (runs of a row differ by seed only).
        name: Its work dir's name under the work root.
        seed: Its seed, None for the deterministic floor.
        command: The command that makes it, without ``--resume`` (and
            without the checkpoint of ``trained_in``).
        trained_in: The work dir of the training whose last checkpoint
            this ``tools/test.py`` run evaluates (the argument after the
            config); None for a run that loads none.
    """
    row: str
    name: str
    seed: Optional[int]
    command: List[str]
    trained_in: Optional[str] = None


def method_row(method: str, snippets: bool) -> str:
    """``skeletonclr`` -> ``SkeletonCLR`` (``+ snippets``);
    ``aimclr_replicate`` -> ``AimCLR, replicate padding``."""
    base = method.removesuffix(REPLICATE_SUFFIX)
    name = METHOD_NAMES.get(base, base)
    if base != method:
        name += ', replicate padding'
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
                [python, TEST_TOOL, floor])]
    runs += [
        Run(RANDOM_ROW, f'random_{backbone}_{dataset}_seed{seed}', seed, [
            python, TEST_TOOL, random_init, '--random-init', '--seed',
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
                    [python, TRAIN_TOOL, config, '--seed', str(seed)])
                for seed in seeds
            ]
    missing = [path for path in needed if not osp.isfile(path)]
    if missing:
        raise FileNotFoundError(
            f'the {dataset} table needs configs that do not exist: '
            f'{", ".join(sorted(set(missing)))}')
    return runs


def setting_runs(runs: Sequence[Run], cfg_options: Sequence[str],
                 work_root: str) -> List[Run]:
    """The runs of an evaluation setting: each run of :func:`plan_runs` as
    a ``tools/test.py`` run with ``--cfg-options *cfg_options``; a training
    becomes the test of its last checkpoint in ``<work_root>/<its name>``
    (same config and seed)."""
    tests = []
    for run in runs:
        python, tool, config = run.command[:3]
        if tool == TRAIN_TOOL:
            run = run._replace(
                command=[python, TEST_TOOL, config, '--seed', str(run.seed)],
                trained_in=osp.join(work_root, run.name))
        tests.append(run._replace(
            command=run.command + ['--cfg-options', *cfg_options]))
    return tests


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint a training's ``last_checkpoint`` file names.

    Raises:
        FileNotFoundError: the training saved no checkpoint.
    """
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{work_dir}: no last_checkpoint, the '
                                'training has not saved a checkpoint')
    with open(path) as f:
        return f.read().strip()


def finished_metrics(work_dir: str) -> Optional[Dict[str, float]]:
    """A run's final metrics, or None while it has none."""
    try:
        return final_metrics(work_dir)
    except FileNotFoundError:
        return None


def run_command(run: Run, work_root: str,
                checkpoint: Optional[str] = None) -> List[str]:
    """The command of a pending run: into its work dir, resuming from its
    last checkpoint if it has one; a run with ``trained_in`` evaluates
    ``checkpoint``, by default its training's :func:`last_checkpoint`."""
    work_dir = osp.join(work_root, run.name)
    resume = osp.isfile(osp.join(work_dir, 'last_checkpoint'))
    if run.trained_in is not None:
        checkpoint = checkpoint or last_checkpoint(run.trained_in)
    return (run.command[:3] + ([checkpoint] if checkpoint else []) +
            run.command[3:] + ['--work-dir', work_dir] +
            (['--resume'] if resume else []))


def shell_command(run: Run, work_root: str) -> str:
    """:func:`run_command` as a shell line; the checkpoint of a run with
    ``trained_in`` is read from its training's ``last_checkpoint`` when
    the line runs (the training may be pending before it)."""
    if run.trained_in is None:
        return shlex.join(run_command(run, work_root))
    marker = 'CHECKPOINT-OF-THE-TRAINING'
    read = shlex.quote(osp.join(run.trained_in, 'last_checkpoint'))
    return shlex.join(run_command(run, work_root, marker)).replace(
        marker, f'"$(cat {read})"')


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
                         f'{shell_command(run, work_root)} > '
                         f'{shlex.quote(log_path(run, work_root))} 2>&1')
    return '\n'.join(lines)


def pending_runs(runs: Sequence[Run], work_root: str) -> List[Run]:
    """The runs whose work dir holds no final metrics yet."""
    return [run for run in runs
            if finished_metrics(osp.join(work_root, run.name)) is None]


def execute(runs: Sequence[Run], work_root: str, jobs: int,
            threads: int) -> List[str]:
    """Run the pending runs, ``jobs`` at a time; return the failed ones'
    log paths."""
    pending = pending_runs(runs, work_root)
    make_output_folder(osp.join(work_root, 'logs'))
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))

    def start(run: Run) -> Optional[str]:
        began = time.time()
        with open(log_path(run, work_root), 'w') as log:
            try:
                command = run_command(run, work_root)
            except FileNotFoundError as err:
                log.write(f'not run: {err}\n')
                code = 1
            else:
                code = subprocess.run(command, stdout=log,
                                      stderr=subprocess.STDOUT,
                                      env=env).returncode
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


def markdown_table(rows: Dict[str, List[Dict[str, float]]],
                   protocol: str = 'paper') -> str:
    """mean ± std per row of the metrics every run reports
    (:func:`shared_columns`) under ``protocol``, runs and the floor mark."""
    rows = protocol_runs(rows, protocol)
    keys = shared_columns([r for group in rows.values() for r in group])
    header = (['model', 'runs'] + [column_name(key) for key in keys] +
              ['below floor'])
    body = [[row, str(len(group))] +
            [mean_std_cell(group, key) for key in keys] +
            [floors_beneath(row, rows)] for row, group in rows.items()]
    return format_table(header, body, markdown=True)


def protocol_tables(rows: Dict[str, List[Dict[str, float]]]) -> str:
    """:func:`markdown_table` of every protocol the runs report, titled."""
    return '\n\n'.join(
        f'{PROTOCOL_TITLES[protocol]}:\n\n{markdown_table(rows, protocol)}'
        for protocol in PROTOCOLS if protocol_runs(rows, protocol))


def snippet_comparisons(methods: Sequence[str]) -> List[Tuple[str, str]]:
    """The ``(row, baseline row)`` pairs whose paired differences tell what
    the snippet loss does: each method's snippet row against the method
    alone; and, for ``<method>_replicate`` beside ``<method>``, its snippet
    row against both zero-padded rows (the method, and its shipped snippet
    variant)."""
    pairs = [(method_row(m, True), method_row(m, False)) for m in methods]
    for method in methods:
        base = method.removesuffix(REPLICATE_SUFFIX)
        if base != method and base in methods:
            pairs += [(method_row(method, True), method_row(base, False)),
                      (method_row(method, True), method_row(base, True))]
    return pairs


def csv_text(rows: Dict[str, List[Dict[str, float]]]) -> str:
    """:func:`runs_csv` with a last column ``below_floor``: the floors a
    row's mean falls below under each protocol (:func:`floors_beneath`)."""
    return runs_csv(rows, (MARK_COLUMN, floors_beneath))


def earlier_runs(path: str,
                 rows: Sequence[str]) -> Dict[str, List[Dict[str, float]]]:
    """:func:`read_runs_csv` of a CSV :func:`csv_text` wrote, its rows
    limited to the rows of this table."""
    return read_runs_csv(path, rows, MARK_COLUMN)


def exit_status(failed: Sequence[str]) -> int:
    """1 after naming the failed runs' logs on stderr, 0 if none failed."""
    if failed:
        print(f'{len(failed)} runs failed, see: {", ".join(failed)}',
              file=sys.stderr)
    return 1 if failed else 0


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
    parser.add_argument('--collect-only', action='store_true',
                        help='run nothing: table the finished runs (e.g. '
                        'while the others run elsewhere) and name the '
                        'pending ones')
    parser.add_argument(
        '--cfg-options', nargs='+', metavar='KEY=VALUE',
        help='evaluate every row by tools/test.py with these options, e.g. '
        'test_cfg.level=[0,2,3] (needs --tag)')
    add_earlier_option(parser, 'this tool', 'a run in the work root')
    parser.add_argument(
        '--tag', help='name of the --cfg-options setting: its runs work in '
        '<work-root>/<tag>/, its CSV is knn_<dataset>_<tag>.csv')
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.threads < 1:
        parser.error('--jobs and --threads must be >= 1')
    if args.dry_run and args.collect_only:
        parser.error('--dry-run and --collect-only: choose one')
    if (args.cfg_options is None) != (args.tag is None):
        parser.error('--cfg-options and --tag go together: the tag keeps '
                     "the setting's runs and CSV apart from the default's")
    if args.tag is not None and (not TAG_PATTERN.fullmatch(args.tag)
                                 or args.tag == 'logs'):
        parser.error(f'--tag {args.tag!r}: use a plain folder name '
                     '(letters, digits, . _ -), not "logs"')
    malformed = [o for o in args.cfg_options or () if '=' not in o]
    if malformed:
        parser.error(f'--cfg-options {" ".join(malformed)}: each option is '
                     'KEY=VALUE')
    args.work_root = args.work_root or osp.join('work_dirs',
                                                f'knn_{args.dataset}')
    suffix = f'_{args.tag}' if args.tag else ''
    args.out = args.out or osp.join(args.work_root,
                                    f'knn_{args.dataset}{suffix}.csv')
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
    if args.tag in {run.name for run in runs}:
        print(f'error: --tag {args.tag} is the name of a run of the table',
              file=sys.stderr)
        return 2
    stages = [(runs, args.work_root)]
    if args.tag is not None:
        trainings = [run for run in runs if run.command[1] == TRAIN_TOOL]
        stages = [(trainings, args.work_root),
                  (setting_runs(runs, args.cfg_options, args.work_root),
                   osp.join(args.work_root, args.tag))]
    order = list(dict.fromkeys(run.row for run in stages[-1][0]))
    try:
        earlier_groups = [earlier_runs(path, order) for path in args.earlier]
    except (OSError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    if args.dry_run:
        print('\n'.join(dry_run_plan(stage, root, args.threads)
                        for stage, root in stages if stage))
        return 0
    if args.collect_only:
        failed = []
        pending = [osp.join(root, run.name) for stage, root in stages
                   for run in pending_runs(stage, root)]
        if pending:
            print(f'{len(pending)} runs have not finished and are not '
                  f'tabled: {", ".join(pending)}', file=sys.stderr)
    else:
        failed = [log for stage, root in stages
                  for log in execute(stage, root, args.jobs, args.threads)]
    rows = collect(*stages[-1])
    for earlier in earlier_groups:
        rows = with_earlier_runs(rows, earlier, order)
    command = shlex.join(['python', 'tools/analysis/knn_table.py'] +
                         list(sys.argv[1:] if argv is None else argv))
    print(f'KNN localization on {args.dataset} (made by `{command}`):\n')
    print(protocol_tables(rows))
    print(f'\n{FLOOR_NOTE}')
    paired = paired_table(rows, snippet_comparisons(args.methods))
    if paired:
        print('\nPaired differences in average mAP (same seed):\n')
        print(paired)
    atomic_write(args.out, csv_text(rows).encode())
    print(f'CSV: {args.out}')
    return exit_status(failed)


if __name__ == '__main__':
    with exit_on_unwritable_output():
        sys.exit(main())

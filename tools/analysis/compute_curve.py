"""KNN localization against pretraining compute, floors included.

For ``--dataset D`` and each method ``M`` (a quick-start stem without the
backbone and dataset, e.g. ``skeletonclr`` or
``snippet_skeletonclr_replicate``) it trains
``configs/quickstart/M_<backbone>_D.py`` at each budget of ``--times``
(windows cut from every training sequence per epoch: the config's
``train_dataloader.dataset.times``; the epochs, schedule and everything
else stay the quick start's), evaluates each run by its KNN loop, and
reports every metric against the windows seen in pretraining::

    windows seen = train sequences x times x epochs

Runs share their work root with ``knn_table.py``: the budget of the
config's own ``times`` is the quick start itself (run
``M_<backbone>_D_seed<S>``), another budget ``T`` is run
``M_<backbone>_D_x<T>_seed<S>``; the raw-pose floor and the random-init
encoder are the table's own runs, made here if missing. Finished runs are
collected, started ones resume (see ``knn_table.py``). ``--seeds`` are run
at every budget, ``--largest-seeds`` at the largest.

Outputs: a markdown table per protocol (smoothed and the paper's), one
of every method seed by seed across the budgets (the paired view), a CSV
(one line per run, then mean and std per point) and a figure of average mAP
and frame accuracy against windows seen (log scale), the floors drawn as
horizontal lines.

Example::

    python tools/analysis/compute_curve.py --dataset bandaimix \\
        --methods skeletonclr snippet_skeletonclr_replicate \\
        --times 1 2 4 8 --seeds 0 1 --largest-seeds 0 1 2 \\
        --work-root work_dirs/knn_bandaimix \\
        --out docs/results/curve_bandaimix.csv \\
        --figure docs/images/curve_bandaimix.png
"""
import argparse
import csv
import io
import os.path as osp
import shlex
import sys
from typing import Dict, List, NamedTuple, Sequence

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from knn_table import (FLOOR_ROW, RANDOM_ROW, TRAIN_TOOL, Run,  # noqa: E402
                       collect, execute, exit_status, plan_runs)
from summarize_runs import (FRAME_METRICS, PROTOCOL_TITLES,  # noqa: E402
                            PROTOCOLS, SMOOTHING, WALL_TIME, column_name,
                            format_table, mean_and_std, mean_std_cell,
                            protocol_runs)

from snippet_plugin.utils.atomic_io import atomic_write  # noqa: E402
from snippet_plugin.utils.output_paths import \
    exit_on_unwritable_output  # noqa: E402

HEADLINE = 'tal/mAP_avg'
ACCURACY = 'tal/acc'
COLUMNS = (SMOOTHING, HEADLINE) + FRAME_METRICS + (WALL_TIME, )
"""The metrics of a point: the chosen window, average mAP, frame accuracy,
edit, F1@{10,25,50} and the run's wall time."""
TIMES_OPTION = 'train_dataloader.dataset.times'


class Budget(NamedTuple):
    """One pretraining budget of a method.

    Attributes:
        method: The quick-start stem, e.g. ``skeletonclr``.
        times: Windows cut from each training sequence per epoch.
        windows: Windows seen in pretraining.
    """
    method: str
    times: int
    windows: int


def budget_row(method: str, times: int) -> str:
    """The row name of a method at a budget, e.g. ``skeletonclr x4``."""
    return f'{method} x{times}'


def plan_curve(dataset: str, methods: Sequence[str], times: Sequence[int],
               seeds: Sequence[int], largest_seeds: Sequence[int],
               backbone: str = 'stgcn', configs: str = 'configs',
               python: str = sys.executable) -> List[Run]:
    """The floors' runs (those of ``knn_table.py`` for ``seeds`` and
    ``largest_seeds``), then every method at every budget.

    Raises:
        FileNotFoundError: naming the configs the curve needs and lacks.
        ValueError: a budget below 1.
    """
    if min(times) < 1:
        raise ValueError(f'--times must be >= 1, got {sorted(times)}')
    configs_of = {method: quickstart_config(configs, method, backbone,
                                            dataset) for method in methods}
    missing = [path for path in configs_of.values() if not osp.isfile(path)]
    if missing:
        raise FileNotFoundError('the curve needs configs that do not exist: '
                                + ', '.join(missing))
    all_seeds = sorted(set(seeds) | set(largest_seeds))
    runs = plan_runs(dataset, [], all_seeds, backbone, configs=configs,
                     python=python)
    largest = max(times)
    for method, config in configs_of.items():
        stem = osp.splitext(osp.basename(config))[0]
        own_times = load_pretraining(config).times
        for budget in sorted(set(times)):
            own = budget == own_times
            suffix = '' if own else f'_x{budget}'
            options = ([] if own else
                       ['--cfg-options', f'{TIMES_OPTION}={budget}'])
            runs += [
                Run(budget_row(method, budget), f'{stem}{suffix}_seed{seed}',
                    seed, [python, TRAIN_TOOL, config, '--seed',
                           str(seed)] + options)
                for seed in (largest_seeds if budget == largest else seeds)
            ]
    return runs


def quickstart_config(configs: str, method: str, backbone: str,
                      dataset: str) -> str:
    """``<configs>/quickstart/<method>_<backbone>_<dataset>.py``."""
    return osp.join(configs, 'quickstart', f'{method}_{backbone}_{dataset}.py')


class Pretraining(NamedTuple):
    """What fixes a quick start's pretraining budget.

    Attributes:
        times: Its ``train_dataloader.dataset.times``.
        epochs: Its ``train_cfg.max_epochs``.
        dataset: The config of the sequences it repeats.
    """
    times: int
    epochs: int
    dataset: dict


def load_pretraining(config: str) -> Pretraining:
    """The budget of a quick start whose training set is a
    ``RepeatDataset``.

    Raises:
        ValueError: naming the config, when its training set is not one.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    repeated = cfg.train_dataloader.dataset
    if repeated.get('type') != 'RepeatDataset':
        raise ValueError(f'{config}: train_dataloader.dataset is a '
                         f'{repeated.get("type")}, not a RepeatDataset, so '
                         f'{TIMES_OPTION} cannot set its budget')
    return Pretraining(repeated.times, cfg.train_cfg.max_epochs,
                       repeated.dataset)


def windows_per_time(config: str) -> int:
    """Windows a quick start sees in pretraining per unit of ``times``:
    its training sequences x its epochs (the annotation files are read to
    count the sequences)."""
    from mmengine.registry import init_default_scope

    import snippet_plugin  # noqa: F401  (registers the datasets)
    from mmaction.registry import DATASETS
    init_default_scope('mmaction')
    pretraining = load_pretraining(config)
    return len(DATASETS.build(pretraining.dataset)) * pretraining.epochs


def curve_points(rows: Dict[str, List[Dict[str, float]]],
                 budgets: Dict[str, Budget],
                 protocol: str) -> List[Dict[str, object]]:
    """One point per method and budget under ``protocol``: the method,
    times, windows, run count, and ``(mean, std)`` of each of
    :data:`COLUMNS` its runs all report."""
    viewed = protocol_runs(rows, protocol)
    points = []
    for row, budget in budgets.items():
        group = viewed.get(row)
        if not group:
            continue
        point = dict(method=budget.method, times=budget.times,
                     windows=budget.windows, runs=len(group))
        point.update({key: mean_and_std(group, key) for key in COLUMNS
                      if all(key in record for record in group)})
        points.append(point)
    return points


def floor_levels(rows: Dict[str, List[Dict[str, float]]],
                 protocol: str) -> Dict[str, Dict[str, float]]:
    """Mean average mAP and frame accuracy of each floor under
    ``protocol``."""
    viewed = protocol_runs(rows, protocol)
    return {floor: {key: mean_and_std(viewed[floor], key)[0]
                    for key in (HEADLINE, ACCURACY)}
            for floor in (FLOOR_ROW, RANDOM_ROW) if floor in viewed}


def markdown_table(rows: Dict[str, List[Dict[str, float]]],
                   budgets: Dict[str, Budget], protocol: str) -> str:
    """Floors, then each method's points in budget order, mean ± std."""
    viewed = protocol_runs(rows, protocol)
    records = [r for group in viewed.values() for r in group]
    keys = [key for key in COLUMNS if all(key in r for r in records)]
    header = (['model', 'windows seen', 'runs'] +
              [column_name(key) for key in keys])
    body = [[floor, '0' if floor == RANDOM_ROW else '-',
             str(len(viewed[floor]))] +
            [mean_std_cell(viewed[floor], key) for key in keys]
            for floor in (FLOOR_ROW, RANDOM_ROW) if floor in viewed]
    body += [[row, f'{budget.windows:,}', str(len(viewed[row]))] +
             [mean_std_cell(viewed[row], key) for key in keys]
             for row, budget in budgets.items() if row in viewed]
    return format_table(header, body, markdown=True)


def per_seed_table(rows: Dict[str, List[Dict[str, float]]],
                   budgets: Dict[str, Budget]) -> str:
    """Each method seed by seed across the budgets, beside random init at
    the same seed: ``smoothed / paper avg mAP, acc <frame accuracy>``
    (smoothed), ``-`` where that run is missing or lacks a protocol.

    The seed spread is wide, so a budget's gain reads best against the same
    seed at the other budgets.
    """
    views = {protocol: protocol_runs(rows, protocol)
             for protocol in PROTOCOLS}

    def cell(row: str, seed: int) -> str:
        found = {protocol: record for protocol, viewed in views.items()
                 for record in viewed.get(row, ()) if record['seed'] == seed}
        if len(found) < len(PROTOCOLS):
            return '-'
        smoothed, paper = found['smoothed'], found['paper']
        return (f'{smoothed[HEADLINE]:.1f} / {paper[HEADLINE]:.1f}, '
                f'acc {smoothed[ACCURACY]:.1f}')

    times = sorted({budget.times for budget in budgets.values()})
    header = ['method', 'seed', RANDOM_ROW] + [f'x{t}' for t in times]
    body = []
    for method in dict.fromkeys(b.method for b in budgets.values()):
        seeds = sorted({record['seed']
                        for row, budget in budgets.items()
                        if budget.method == method
                        for record in rows.get(row, ())})
        body += [[method, str(seed), cell(RANDOM_ROW, seed)] +
                 [cell(budget_row(method, t), seed) for t in times]
                 for seed in seeds]
    return format_table(header, body, markdown=True)


def csv_text(rows: Dict[str, List[Dict[str, float]]],
             budgets: Dict[str, Budget]) -> str:
    """Per protocol: every run of every point, then the point's mean and
    std; floors with an empty ``windows``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(['row', 'protocol', 'windows', 'kind', 'run', 'seed'] +
                    [column_name(key) for key in COLUMNS])
    for protocol in PROTOCOLS:
        for row, group in protocol_runs(rows, protocol).items():
            budget = budgets.get(row)
            windows = '' if budget is None else budget.windows
            keys = [key if all(key in r for r in group) else None
                    for key in COLUMNS]
            for record in group:
                writer.writerow(
                    [row, protocol, windows, 'run', record['name'],
                     '' if record['seed'] is None else record['seed']] +
                    ['' if key is None else f'{record[key]:.4f}'
                     for key in keys])
            stats = [key and mean_and_std(group, key) for key in keys]
            for kind, index in (('mean', 0), ('std', 1)):
                writer.writerow([row, protocol, windows, kind, len(group),
                                 ''] + ['' if s is None else
                                        f'{s[index]:.4f}' for s in stats])
    return out.getvalue()


def draw_curve(rows: Dict[str, List[Dict[str, float]]],
               budgets: Dict[str, Budget], path: str, title: str) -> None:
    """Average mAP (one panel per protocol) and frame accuracy against
    windows seen, log x ticked at the budgets, mean ± std bars; floors as
    horizontal lines."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    from snippet_plugin.visualization.timelines import save_figure
    panels = [(protocol, HEADLINE, f'avg mAP, {PROTOCOL_TITLES[protocol]}')
              for protocol in PROTOCOLS if protocol_runs(rows, protocol)]
    panels.append((PROTOCOLS[0], ACCURACY, 'frame accuracy'))
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4))
    for ax, (protocol, key, label) in zip(axes, panels):
        points = curve_points(rows, budgets, protocol)
        for method in dict.fromkeys(p['method'] for p in points):
            mine = [p for p in points if p['method'] == method and key in p]
            ax.errorbar([p['windows'] for p in mine],
                        [p[key][0] for p in mine],
                        yerr=[p[key][1] for p in mine], marker='o',
                        capsize=3, label=method)
        for (floor, levels), style in zip(
                floor_levels(rows, protocol).items(), ('--', ':')):
            ax.axhline(levels[key], color='grey', linestyle=style,
                       label=floor)
        ax.set_xscale('log')
        seen = sorted({p['windows'] for p in points})
        ax.set_xticks(seen, [f'{windows:,}' for windows in seen],
                      fontsize=8)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel('windows seen in pretraining')
        ax.set_title(label, fontsize=9)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc='lower center', ncol=len(labels),
               fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    save_figure(fig, path)
    plt.close(fig)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--dataset', required=True)
    parser.add_argument('--methods', nargs='+', required=True,
                        help='quick-start stems, e.g. skeletonclr')
    parser.add_argument('--times', type=int, nargs='+', default=[1, 2, 4, 8],
                        help='windows per training sequence per epoch')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--largest-seeds', type=int, nargs='+',
                        help='seeds of the largest budget (default --seeds)')
    parser.add_argument('--backbone', default='stgcn')
    parser.add_argument('--work-root',
                        help='default: work_dirs/knn_<dataset> (shared with '
                        'knn_table.py)')
    parser.add_argument('--out', help='CSV; default '
                        '<work-root>/curve_<dataset>.csv')
    parser.add_argument('--figure', help='PNG; default '
                        '<work-root>/curve_<dataset>.png')
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--collect-only', action='store_true',
                        help='table the finished runs, start none')
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.threads < 1:
        parser.error('--jobs and --threads must be >= 1')
    args.largest_seeds = args.largest_seeds or args.seeds
    args.work_root = args.work_root or osp.join('work_dirs',
                                                f'knn_{args.dataset}')
    args.out = args.out or osp.join(args.work_root,
                                    f'curve_{args.dataset}.csv')
    args.figure = args.figure or osp.join(args.work_root,
                                          f'curve_{args.dataset}.png')
    return args


def main(argv=None) -> int:
    """Plan, run, collect, table and draw; return the exit status."""
    args = parse_args(argv)
    try:
        runs = plan_curve(args.dataset, args.methods, args.times, args.seeds,
                          args.largest_seeds, args.backbone)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    failed = [] if args.collect_only else execute(
        runs, args.work_root, args.jobs, args.threads)
    budgets = {}
    for method in args.methods:
        per_times = windows_per_time(quickstart_config(
            'configs', method, args.backbone, args.dataset))
        budgets.update({budget_row(method, times): Budget(
            method, times, per_times * times)
            for times in sorted(set(args.times))})
    rows = collect(runs, args.work_root)
    command = shlex.join(['python', 'tools/analysis/compute_curve.py'] +
                         list(sys.argv[1:] if argv is None else argv))
    print(f'Compute curve on {args.dataset} (made by `{command}`):\n')
    print('\n\n'.join(
        f'{PROTOCOL_TITLES[protocol]}:\n\n'
        f'{markdown_table(rows, budgets, protocol)}'
        for protocol in PROTOCOLS if protocol_runs(rows, protocol)))
    print('\nPer seed, smoothed / paper avg mAP and smoothed frame accuracy:'
          f'\n\n{per_seed_table(rows, budgets)}\n')
    atomic_write(args.out, csv_text(rows, budgets).encode())
    draw_curve(rows, budgets, args.figure,
               f'{args.dataset}: KNN localization against pretraining '
               'windows')
    print(f'CSV: {args.out}\nfigure: {args.figure}')
    return exit_status(failed)


if __name__ == '__main__':
    with exit_on_unwritable_output():
        sys.exit(main())

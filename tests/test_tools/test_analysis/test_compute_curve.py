"""tools/analysis/compute_curve.py: the budgets' runs (the quick start is
its own budget), the windows each budget sees, and the points and floors
tabled from fabricated run folders."""
import csv
import json

import numpy as np
import pytest

from helpers import REPO, labelled_sample, write_annotation_file

STAMP = '20260101_000000'


@pytest.fixture
def curve(load_tool):
    return load_tool('analysis/compute_curve')


def plan(curve, dataset='bandaimix', times=(1, 2, 8), seeds=(0, ),
         largest_seeds=(0, 1)):
    return curve.plan_curve(dataset, ['skeletonclr'], times, seeds,
                            largest_seeds, configs=str(REPO / 'configs'),
                            python='python')


def test_each_budget_trains_the_quick_start_with_its_times(curve):
    runs = plan(curve)
    assert [run.name for run in runs[:3]] == [
        'rawpose_bandaimix', 'random_stgcn_bandaimix_seed0',
        'random_stgcn_bandaimix_seed1']
    trainings = runs[3:]
    assert [(run.row, run.name) for run in trainings] == [
        ('skeletonclr x1', 'skeletonclr_stgcn_bandaimix_seed0'),
        ('skeletonclr x2', 'skeletonclr_stgcn_bandaimix_x2_seed0'),
        ('skeletonclr x8', 'skeletonclr_stgcn_bandaimix_x8_seed0'),
        ('skeletonclr x8', 'skeletonclr_stgcn_bandaimix_x8_seed1')]
    config = str(REPO / 'configs/quickstart/skeletonclr_stgcn_bandaimix.py')
    assert trainings[0].command == ['python', 'tools/train.py', config,
                                    '--seed', '0']
    assert trainings[3].command == [
        'python', 'tools/train.py', config, '--seed', '1', '--cfg-options',
        'train_dataloader.dataset.times=8']


def test_the_quick_start_is_the_budget_of_its_own_times(curve):
    """The MocapMix quick start repeats its sequences 4 times per epoch:
    its own run is budget 4, and budget 1 is the one that needs options."""
    runs = plan(curve, dataset='mocapmix', times=(1, 4), largest_seeds=(0, ))
    names = {run.name: run.command[5:] for run in runs[2:]}
    assert names == {
        'skeletonclr_stgcn_mocapmix_x1_seed0':
        ['--cfg-options', 'train_dataloader.dataset.times=1'],
        'skeletonclr_stgcn_mocapmix_seed0': []}


def test_bad_budgets_and_missing_configs_are_refused(curve):
    with pytest.raises(ValueError, match='>= 1'):
        plan(curve, times=(0, 2))
    with pytest.raises(FileNotFoundError, match='nosuch_stgcn_bandaimix'):
        curve.plan_curve('bandaimix', ['nosuch'], [1], [0], [0],
                         configs=str(REPO / 'configs'))


def test_windows_are_sequences_times_epochs(curve, tmp_path):
    samples = [labelled_sample(f's{i}', np.zeros((1, 20, 25, 3), np.float32),
                               [[0, 10, 0]], 2) for i in range(5)]
    ann = tmp_path / 'toy.pkl'
    write_annotation_file(ann, samples, ['a', 'b'],
                          dict(train=['s0', 's1', 's2'], val=['s3', 's4']))
    config = tmp_path / 'toy.py'
    config.write_text(
        'train_cfg = dict(max_epochs=7)\n'
        'train_dataloader = dict(dataset=dict(type="RepeatDataset", '
        f'times=3, dataset=dict(type="UntrimmedPoseDataset", '
        f'ann_file="{ann}", split="train", label_mode="none")))\n')
    assert curve.windows_per_time(str(config)) == 3 * 7
    assert curve.load_pretraining(str(config)).times == 3
    config.write_text('train_cfg = dict(max_epochs=7)\n'
                      'train_dataloader = dict(dataset=dict('
                      'type="ConcatDataset", datasets=[]))\n')
    with pytest.raises(ValueError, match='toy.py: .* not a RepeatDataset'):
        curve.load_pretraining(str(config))


def record(paper, smoothed, acc):
    """A smoothing KNN run: avg mAP ``smoothed`` (window 1 s), the paper's
    ``paper``, frame accuracy ``acc`` under both."""
    metrics = {}
    for prefix, avg in (('tal/', smoothed), ('tal_unsmoothed/', paper)):
        metrics.update({f'{prefix}mAP@0.{i}': float(avg) for i in range(1, 6)})
        metrics.update({f'{prefix}mAP_avg': float(avg),
                        f'{prefix}acc': float(acc)})
    return dict(metrics, **{'tal/smoothing_s': 1.0})


#: Fabricated (paper mAP, smoothed mAP, accuracy) per run: floor; random
#: init at two seeds; skeletonclr at x1 (one seed) and x2 (two seeds).
FABRICATED = {
    'rawpose_bandaimix': (20, 60, 48),
    'random_stgcn_bandaimix_seed0': (6, 20, 20),
    'random_stgcn_bandaimix_seed1': (8, 24, 22),
    'skeletonclr_stgcn_bandaimix_seed0': (9, 26, 25),
    'skeletonclr_stgcn_bandaimix_x2_seed0': (10, 30, 30),
    'skeletonclr_stgcn_bandaimix_x2_seed1': (14, 34, 36),
}


def fabricate(curve, work_root):
    runs = plan(curve, times=(1, 2), seeds=(0, ), largest_seeds=(0, 1))
    for run in runs:
        if run.name in FABRICATED:
            folder = work_root / run.name / STAMP
            folder.mkdir(parents=True)
            (folder / f'{STAMP}.json').write_text(
                json.dumps(record(*FABRICATED[run.name])))
    budgets = {f'skeletonclr x{t}': curve.Budget('skeletonclr', t, 100 * t)
               for t in (1, 2)}
    return curve.collect(runs, str(work_root)), budgets


def test_points_and_floors_per_protocol(curve, tmp_path):
    rows, budgets = fabricate(curve, tmp_path)
    smoothed = curve.curve_points(rows, budgets, 'smoothed')
    assert [(p['times'], p['windows'], p['runs']) for p in smoothed] == [
        (1, 100, 1), (2, 200, 2)]
    assert smoothed[1]['tal/mAP_avg'] == pytest.approx((32, np.sqrt(8)))
    assert smoothed[1]['tal/acc'] == pytest.approx((33, np.sqrt(18)))
    paper = curve.curve_points(rows, budgets, 'paper')
    assert paper[1]['tal/mAP_avg'] == pytest.approx((12, np.sqrt(8)))
    assert curve.floor_levels(rows, 'paper') == {
        'raw-pose floor': {'tal/mAP_avg': 20, 'tal/acc': 48},
        'random init': {'tal/mAP_avg': 7, 'tal/acc': 21}}
    assert curve.floor_levels(rows, 'smoothed')['random init'][
        'tal/mAP_avg'] == 22


def test_table_and_csv_put_windows_beside_the_metrics(curve, tmp_path):
    rows, budgets = fabricate(curve, tmp_path)
    table = curve.markdown_table(rows, budgets, 'smoothed')
    lines = [[c.strip() for c in line.strip('|').split('|')]
             for line in table.splitlines()]
    header = lines[0]
    cells = {line[0]: dict(zip(header, line)) for line in lines[2:]}
    assert cells['skeletonclr x2']['windows seen'] == '200'
    assert cells['skeletonclr x2']['mAP_avg'] == '32.0 ± 2.8'
    assert cells['random init']['windows seen'] == '0'
    assert cells['raw-pose floor']['mAP_avg'] == '60.0'
    lines = list(csv.DictReader(curve.csv_text(rows, budgets).splitlines()))
    means = {(line['row'], line['protocol']): line for line in lines
             if line['kind'] == 'mean'}
    assert means['skeletonclr x2', 'paper']['mAP_avg'] == '12.0000'
    assert means['skeletonclr x2', 'paper']['windows'] == '200'
    assert means['raw-pose floor', 'smoothed']['windows'] == ''
    runs = [line['run'] for line in lines
            if line['kind'] == 'run' and line['protocol'] == 'paper']
    assert runs == list(FABRICATED)


def test_figure_plots_the_means_at_the_budgets_with_the_floors(
        curve, tmp_path, monkeypatch):
    rows, budgets = fabricate(curve, tmp_path / 'runs')
    saved = {}
    monkeypatch.setattr('snippet_plugin.visualization.timelines.save_figure',
                        lambda figure, path: saved.update(figure=figure,
                                                          path=path))
    curve.draw_curve(rows, budgets, str(tmp_path / 'curve.png'), 'title')
    assert saved['path'] == str(tmp_path / 'curve.png')
    smoothed, paper, accuracy = saved['figure'].axes
    for ax, means, floors in ((smoothed, [26, 32], [60, 22]),
                              (paper, [9, 12], [20, 7]),
                              (accuracy, [25, 33], [48, 21])):
        [bars] = [bars for bars in ax.containers
                  if bars.get_label() == 'skeletonclr']
        line = bars.lines[0]
        assert line.get_xdata().tolist() == [100, 200]
        assert line.get_ydata().tolist() == pytest.approx(means)
        assert [line.get_ydata()[0] for line in ax.get_lines()
                if line.get_label() in ('raw-pose floor', 'random init')
                ] == pytest.approx(floors)
        assert ax.get_xscale() == 'log'
        assert [tick.get_text() for tick in ax.get_xticklabels()] == \
            ['100', '200']


def test_per_seed_table_pairs_each_seed_with_its_random_init(curve, tmp_path):
    rows, budgets = fabricate(curve, tmp_path)
    lines = curve.per_seed_table(rows, budgets).splitlines()
    assert [c.strip() for c in lines[0].strip('|').split('|')] == [
        'method', 'seed', 'random init', 'x1', 'x2']
    assert [[c.strip() for c in line.strip('|').split('|')]
            for line in lines[2:]] == [
        ['skeletonclr', '0', '20.0 / 6.0, acc 20.0', '26.0 / 9.0, acc 25.0',
         '30.0 / 10.0, acc 30.0'],
        ['skeletonclr', '1', '24.0 / 8.0, acc 22.0', '-',
         '34.0 / 14.0, acc 36.0']]

"""tools/analysis/knn_table.py: the plan, the resumable runner, and the
aggregation (mean, sample std, floor marks) on fabricated run folders."""
import csv
import json
import sys

import numpy as np
import pytest

from helpers import REPO

STAMP = '20260101_000000'


@pytest.fixture
def table(load_tool):
    return load_tool('analysis/knn_table')


def record(avg):
    """Every table metric at ``avg`` (frame accuracy at ``avg - 10``)."""
    values = {key: float(avg) for key in (
        'tal/mAP@0.1', 'tal/mAP@0.2', 'tal/mAP@0.3', 'tal/mAP@0.4',
        'tal/mAP@0.5', 'tal/mAP_avg', 'tal/edit', 'tal/F1@10', 'tal/F1@25',
        'tal/F1@50')}
    return dict(values, **{'tal/acc': avg - 10.0})


def write_test_run(work_dir, avg):
    """What tools/test.py leaves: ``<stamp>/<stamp>.json``."""
    folder = work_dir / STAMP
    folder.mkdir(parents=True)
    (folder / f'{STAMP}.json').write_text(json.dumps(record(avg)))


def write_train_run(work_dir, avg):
    """What tools/train.py leaves: losses, then the final validation, in
    ``<stamp>/vis_data/scalars.json``."""
    folder = work_dir / STAMP / 'vis_data'
    folder.mkdir(parents=True)
    (folder / 'scalars.json').write_text(
        json.dumps({'loss': 3.0, 'step': 1}) + '\n' +
        json.dumps(dict(record(avg), step=40)) + '\n')


#: Fabricated average mAP per run: floor 80; random init 40, 50 (45 ± 7.07);
#: SkeletonCLR 70, 76 (73: below the raw-pose floor only); its snippet
#: variant 30, 40 (35: below both); AimCLR 85, 87 (86: above both);
#: AimCLR + snippets never finished.
FABRICATED = {
    'rawpose_mocapmix': (write_test_run, 80),
    'random_stgcn_mocapmix_seed0': (write_test_run, 40),
    'random_stgcn_mocapmix_seed1': (write_test_run, 50),
    'skeletonclr_stgcn_mocapmix_seed0': (write_train_run, 70),
    'skeletonclr_stgcn_mocapmix_seed1': (write_train_run, 76),
    'snippet_skeletonclr_stgcn_mocapmix_seed0': (write_train_run, 30),
    'snippet_skeletonclr_stgcn_mocapmix_seed1': (write_train_run, 40),
    'aimclr_stgcn_mocapmix_seed0': (write_train_run, 85),
    'aimclr_stgcn_mocapmix_seed1': (write_train_run, 87),
}


def fabricate(work_root):
    for name, (write, avg) in FABRICATED.items():
        write(work_root / name, avg)


def plan(table, methods=('skeletonclr', 'aimclr'), seeds=(0, 1)):
    return table.plan_runs('mocapmix', methods, seeds,
                           configs=str(REPO / 'configs'), python='python')


def markdown_rows(text):
    """``{model: cells}`` of the markdown table in ``text``."""
    lines = [line for line in text.splitlines() if line.startswith('| ')]
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    return header, {
        cells[0]: dict(zip(header, cells)) for cells in (
            [c.strip() for c in line.strip('|').split('|')]
            for line in lines[2:])
    }


def test_plan_has_the_floors_first_then_each_method_twice_per_seed(table):
    runs = plan(table, seeds=(0, 1, 2))
    assert [run.name for run in runs[:4]] == [
        'rawpose_mocapmix', 'random_stgcn_mocapmix_seed0',
        'random_stgcn_mocapmix_seed1', 'random_stgcn_mocapmix_seed2'
    ]
    assert runs[0].command[1:] == [
        'tools/test.py', str(REPO / 'configs/knn/rawpose_mocapmix.py')]
    assert runs[2].command[1:] == [
        'tools/test.py',
        str(REPO / 'configs/quickstart/skeletonclr_stgcn_mocapmix.py'),
        '--random-init', '--seed', '1'
    ]
    assert len(runs) == 1 + 3 + 2 * 2 * 3
    assert [run.row for run in runs[4::3]] == [
        'SkeletonCLR', 'SkeletonCLR + snippets', 'AimCLR',
        'AimCLR + snippets'
    ]
    last = runs[-1]
    assert last.command[1:] == [
        'tools/train.py',
        str(REPO / 'configs/quickstart/snippet_aimclr_stgcn_mocapmix.py'),
        '--seed', '2'
    ] and last.name == 'snippet_aimclr_stgcn_mocapmix_seed2'


def test_replicate_padding_rows_are_named_in_words(table):
    runs = plan(table, methods=('skeletonclr_replicate', 'aimclr_replicate'),
                seeds=(0, ))
    assert [(run.row, run.name) for run in runs[2:]] == [
        ('SkeletonCLR, replicate padding',
         'skeletonclr_replicate_stgcn_mocapmix_seed0'),
        ('SkeletonCLR, replicate padding + snippets',
         'snippet_skeletonclr_replicate_stgcn_mocapmix_seed0'),
        ('AimCLR, replicate padding', 'aimclr_replicate_stgcn_mocapmix_seed0'),
        ('AimCLR, replicate padding + snippets',
         'snippet_aimclr_replicate_stgcn_mocapmix_seed0'),
    ]


def test_missing_configs_are_named_before_anything_runs(table, capsys,
                                                        monkeypatch):
    monkeypatch.chdir(REPO)
    assert table.main(['--dataset', 'nosuchdata', '--methods', 'rvtclr',
                       '--dry-run']) == 2
    error = capsys.readouterr().err
    for name in ('configs/knn/rawpose_nosuchdata.py',
                 'configs/quickstart/skeletonclr_stgcn_nosuchdata.py',
                 'configs/quickstart/snippet_rvtclr_stgcn_nosuchdata.py'):
        assert name in error


def test_dry_run_skips_finished_runs_and_resumes_a_started_one(
        table, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    fabricate(tmp_path)
    started = tmp_path / 'snippet_aimclr_stgcn_mocapmix_seed0'
    started.mkdir()
    (started / 'last_checkpoint').write_text('epoch_20.pth')
    assert table.main(['--dataset', 'mocapmix', '--methods', 'skeletonclr',
                       'aimclr', '--seeds', '0', '1', '--work-root',
                       str(tmp_path), '--threads', '3', '--dry-run']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 2 + 2 * 2 * 2
    finished = [line for line in lines if line.startswith('# finished: ')]
    assert len(finished) == len(FABRICATED)
    pending = [line for line in lines if not line.startswith('#')]
    assert len(pending) == 2
    resumed, fresh = pending
    assert resumed.startswith('OMP_NUM_THREADS=3 ')
    assert (f'configs/quickstart/snippet_aimclr_stgcn_mocapmix.py --seed 0 '
            f'--work-dir {started} --resume > '
            f'{tmp_path}/logs/snippet_aimclr_stgcn_mocapmix_seed0.log 2>&1'
            ) in resumed
    assert fresh.endswith(f'--seed 1 --work-dir {tmp_path}/'
                          'snippet_aimclr_stgcn_mocapmix_seed1 > '
                          f'{tmp_path}/logs/snippet_aimclr_stgcn_mocapmix_'
                          'seed1.log 2>&1')
    assert not any(tmp_path.joinpath('logs').glob('*'))  # nothing ran


def test_rows_are_mean_and_sample_std_with_the_floor_marks(table, tmp_path):
    fabricate(tmp_path)
    rows = table.collect(plan(table), str(tmp_path))
    assert list(rows) == ['raw-pose floor', 'random init', 'SkeletonCLR',
                          'SkeletonCLR + snippets', 'AimCLR']
    header, cells = markdown_rows(table.markdown_table(rows))
    assert header == ['model', 'runs', 'mAP@0.1', 'mAP@0.2', 'mAP@0.3',
                      'mAP@0.4', 'mAP@0.5', 'mAP_avg', 'acc', 'edit',
                      'F1@10', 'F1@25', 'F1@50', 'below floor']
    assert cells['raw-pose floor']['mAP_avg'] == '80.0'  # one run, no ±
    assert cells['raw-pose floor']['runs'] == '1'
    # sample std of (40, 50): sqrt(2 * 5^2 / 1) = 7.07
    assert cells['random init']['mAP_avg'] == '45.0 ± 7.1'
    assert cells['random init']['acc'] == '35.0 ± 7.1'
    assert cells['SkeletonCLR']['mAP@0.3'] == f'73.0 ± {np.sqrt(18):.1f}'
    assert cells['SkeletonCLR']['below floor'] == 'raw-pose floor'
    assert cells['SkeletonCLR + snippets']['below floor'] == (
        'raw-pose floor, random init')
    assert cells['AimCLR']['below floor'] == ''
    assert cells['random init']['below floor'] == ''


def test_csv_holds_every_run_then_the_mean_and_std(table, tmp_path):
    fabricate(tmp_path)
    rows = table.collect(plan(table), str(tmp_path))
    lines = list(csv.DictReader(table.csv_text(rows).splitlines()))
    random_init = [line for line in lines if line['row'] == 'random init']
    assert [(line['kind'], line['run'], line['seed'])
            for line in random_init] == [
        ('run', 'random_stgcn_mocapmix_seed0', '0'),
        ('run', 'random_stgcn_mocapmix_seed1', '1'),
        ('mean', '2', ''), ('std', '2', '')]
    assert [float(line['mAP_avg']) for line in random_init] == pytest.approx(
        [40, 50, 45, np.sqrt(50)], abs=1e-4)
    floor = [line for line in lines if line['row'] == 'raw-pose floor']
    assert [line['kind'] for line in floor] == ['run', 'mean']
    snippet = [line for line in lines
               if line['row'] == 'SkeletonCLR + snippets']
    assert {line['below_floor'] for line in snippet} == {
        'raw-pose floor, random init'}


FAKE_RUN = '''
import json, os, sys
work_dir = sys.argv[sys.argv.index('--work-dir') + 1]
folder = os.path.join(work_dir, '{stamp}')
os.makedirs(folder)
metrics = {{k: {avg} for k in ('tal/mAP@0.1', 'tal/mAP@0.2', 'tal/mAP@0.3',
    'tal/mAP@0.4', 'tal/mAP@0.5', 'tal/mAP_avg', 'tal/acc', 'tal/edit',
    'tal/F1@50')}}
print('threads', os.environ['OMP_NUM_THREADS'])
with open(os.path.join(folder, '{stamp}.json'), 'w') as f:
    json.dump(metrics, f)
sys.exit({code})
'''


def test_execute_runs_the_pending_runs_in_parallel_and_logs_each(
        table, tmp_path):
    """Two pending runs (one fails) and a finished one that is left
    alone; each run logs its output to logs/<name>.log."""
    def fake(name, avg, code=0):
        script = FAKE_RUN.format(stamp=STAMP, avg=avg, code=code)
        return table.Run('row', name, 0, [sys.executable, '-c', script])

    write_test_run(tmp_path / 'done', 10)
    runs = [fake('done', 99), fake('new', 20), fake('broken', 30, code=3)]
    failed = table.execute(runs, str(tmp_path), jobs=2, threads=4)
    assert failed == [str(tmp_path / 'logs' / 'broken.log')]
    assert (tmp_path / 'logs' / 'new.log').read_text() == 'threads 4\n'
    assert not (tmp_path / 'logs' / 'done.log').exists()
    rows = table.collect(runs, str(tmp_path))
    assert sorted(r['tal/mAP_avg'] for r in rows['row']) == [10, 20, 30]


# ---- another evaluation setting: --cfg-options with a --tag -----------------

FUSED = 'test_cfg.level=[0,2,3]'


def test_a_setting_tests_every_row_with_the_options(table, tmp_path):
    """Floors keep their commands plus the options; a training becomes the
    test of its last checkpoint, same config and seed."""
    runs = plan(table, methods=('skeletonclr', ), seeds=(0, ))
    tests = table.setting_runs(runs, [FUSED, 'test_cfg.k=5'], str(tmp_path))
    options = ['--cfg-options', FUSED, 'test_cfg.k=5']
    assert [run.name for run in tests] == [run.name for run in runs]
    assert tests[0].command == runs[0].command + options
    assert tests[1].command == runs[1].command + options
    assert tests[0].trained_in is None and tests[1].trained_in is None
    config = str(REPO / 'configs/quickstart/skeletonclr_stgcn_mocapmix.py')
    assert tests[2].command == [
        'python', 'tools/test.py', config, '--seed', '0'] + options
    assert tests[2].trained_in == str(tmp_path /
                                      'skeletonclr_stgcn_mocapmix_seed0')
    (tmp_path / 'skeletonclr_stgcn_mocapmix_seed0').mkdir()
    (tmp_path / 'skeletonclr_stgcn_mocapmix_seed0' /
     'last_checkpoint').write_text('/ckpts/epoch_40.pth\n')
    assert table.run_command(tests[2], str(tmp_path / 'fused')) == [
        'python', 'tools/test.py', config, '/ckpts/epoch_40.pth', '--seed',
        '0'] + options + [
        '--work-dir', str(tmp_path / 'fused' /
                          'skeletonclr_stgcn_mocapmix_seed0')]


def write_setting(work_root, tag, offset):
    """Every run of :data:`FABRICATED` finished in ``<work_root>/<tag>`` as
    a test run, ``offset`` points above the default setting's; and the
    default setting's trainings with their last checkpoint."""
    fabricate(work_root)
    for name, (write, avg) in FABRICATED.items():
        write_test_run(work_root / tag / name, avg + offset)
        if write is write_train_run:
            (work_root / name / 'last_checkpoint').write_text(
                f'{work_root / name}/epoch_40.pth')


def test_a_tagged_table_reads_its_own_runs_and_writes_its_own_csv(
        table, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    write_setting(tmp_path, 'fused', offset=5)
    argv = ['--dataset', 'mocapmix', '--methods', 'skeletonclr',
            '--seeds', '0', '1', '--work-root', str(tmp_path)]
    assert table.main(argv + ['--tag', 'fused', '--cfg-options', FUSED]) == 0
    out = capsys.readouterr().out
    assert "--cfg-options 'test_cfg.level=[0,2,3]'" in out
    _, cells = markdown_rows(out)
    assert cells['raw-pose floor']['mAP_avg'] == '85.0'
    assert cells['SkeletonCLR']['mAP_avg'] == '78.0 ± 4.2'
    fused_csv = tmp_path / 'knn_mocapmix_fused.csv'
    assert fused_csv.exists() and not (tmp_path / 'knn_mocapmix.csv').exists()
    assert not any(tmp_path.glob('**/logs/*')), 'nothing ran'
    assert table.main(argv) == 0
    _, cells = markdown_rows(capsys.readouterr().out)
    assert cells['raw-pose floor']['mAP_avg'] == '80.0'
    assert (tmp_path / 'knn_mocapmix.csv').read_text() != (
        fused_csv.read_text())


def test_tagged_dry_run_trains_first_then_tests_each_last_checkpoint(
        table, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert table.main(['--dataset', 'mocapmix', '--methods', 'skeletonclr',
                       '--seeds', '0', '--work-root', str(tmp_path),
                       '--tag', 'fused', '--cfg-options', FUSED,
                       '--dry-run']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[2] for line in lines] == (
        ['tools/train.py'] * 2 + ['tools/test.py'] * 4)
    trained = tmp_path / 'skeletonclr_stgcn_mocapmix_seed0'
    assert lines[0].endswith(f'--work-dir {trained} > {tmp_path}/logs/'
                             'skeletonclr_stgcn_mocapmix_seed0.log 2>&1')
    assert lines[2].endswith(
        f"rawpose_mocapmix.py --cfg-options 'test_cfg.level=[0,2,3]' "
        f'--work-dir {tmp_path}/fused/rawpose_mocapmix > '
        f'{tmp_path}/fused/logs/rawpose_mocapmix.log 2>&1')
    assert (f'skeletonclr_stgcn_mocapmix.py "$(cat {trained}/last_'
            f"checkpoint)\" --seed 0 --cfg-options 'test_cfg.level=[0,2,3]' "
            f'--work-dir {tmp_path}/fused/skeletonclr_stgcn_mocapmix_seed0'
            ) in lines[4]


def test_a_test_without_its_training_checkpoint_fails_with_the_reason(
        table, tmp_path):
    run = table.Run('row', 'orphan', 0, [sys.executable, 'tools/test.py',
                                         'c.py'],
                    trained_in=str(tmp_path / 'untrained'))
    failed = table.execute([run], str(tmp_path), jobs=1, threads=1)
    assert failed == [str(tmp_path / 'logs' / 'orphan.log')]
    assert 'untrained: no last_checkpoint' in (
        tmp_path / 'logs' / 'orphan.log').read_text()


@pytest.mark.parametrize('extra, message', [
    (['--cfg-options', FUSED], '--cfg-options and --tag go together'),
    (['--tag', 'fused'], '--cfg-options and --tag go together'),
    (['--tag', 'a/b', '--cfg-options', FUSED], "--tag 'a/b'"),
    (['--tag', 'logs', '--cfg-options', FUSED], 'not "logs"'),
    (['--tag', 'x', '--cfg-options', 'test_cfg.level'],
     '--cfg-options test_cfg.level: each option is KEY=VALUE'),
])
def test_bad_setting_options_are_refused(table, capsys, extra, message):
    with pytest.raises(SystemExit):
        table.parse_args(['--dataset', 'mocapmix'] + extra)
    assert message in capsys.readouterr().err


def test_a_tag_named_like_a_run_is_refused(table, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert table.main(['--dataset', 'mocapmix', '--methods',
                       '--tag', 'rawpose_mocapmix', '--cfg-options', FUSED,
                       '--dry-run']) == 2
    assert 'is the name of a run' in capsys.readouterr().err


def smoothed_record(paper, smoothed, window):
    """A run that smooths: ``tal/`` at ``smoothed`` with its window, the
    paper's protocol under ``tal_unsmoothed/`` at ``paper``."""
    return dict(**{key.replace('tal/', 'tal_unsmoothed/'): value
                   for key, value in record(paper).items()},
                **record(smoothed), **{'tal/smoothing_s': window})


def test_smoothing_runs_are_tabled_under_both_protocols(table, tmp_path):
    """The floor leads under the paper's protocol, SkeletonCLR under the
    smoothed one: each table marks against its own floors."""
    runs = plan(table, methods=('skeletonclr', ), seeds=(0, ))[:3]
    for run, (paper, smoothed, window) in zip(
            runs, [(80, 85, 1.0), (40, 60, 2.0), (70, 90, 0.5)]):
        folder = tmp_path / run.name / STAMP
        folder.mkdir(parents=True)
        (folder / f'{STAMP}.json').write_text(json.dumps(
            smoothed_record(paper, smoothed, window)))
    rows = table.collect(runs, str(tmp_path))
    text = table.protocol_tables(rows)
    smoothed_text, paper_text = text.split("Paper's post-processing")
    header, smoothed_cells = markdown_rows(smoothed_text)
    assert header[2] == 'window (s)'
    assert smoothed_cells['SkeletonCLR']['mAP_avg'] == '90.0'
    assert smoothed_cells['SkeletonCLR']['window (s)'] == '0.50'
    assert smoothed_cells['SkeletonCLR']['below floor'] == ''
    header, paper_cells = markdown_rows(paper_text)
    assert 'window (s)' not in header
    assert paper_cells['SkeletonCLR']['mAP_avg'] == '70.0'
    assert paper_cells['SkeletonCLR']['below floor'] == 'raw-pose floor'
    lines = list(csv.DictReader(table.csv_text(rows).splitlines()))
    assert {(line['protocol'], line['mAP_avg'], line['window (s)'])
            for line in lines if line['row'] == 'SkeletonCLR'} == {
        ('smoothed', '90.0000', '0.5000'), ('paper', '70.0000', '')}


def test_paired_differences_pair_each_snippet_row_with_its_baselines(
        table, tmp_path):
    """Seeds shared by both rows only, differences worked by hand: the
    fix (60, 50) against SkeletonCLR (70, 76) is -10, -26 (mean -18, 0 of
    2 positive); the fix against the shipped snippets (30, 40) is +30, +10;
    AimCLR + snippets never finished, so AimCLR has no pair."""
    fabricate(tmp_path)
    write_train_run(
        tmp_path / 'snippet_skeletonclr_replicate_stgcn_mocapmix_seed0', 60)
    write_train_run(
        tmp_path / 'snippet_skeletonclr_replicate_stgcn_mocapmix_seed1', 50)
    methods = ('skeletonclr', 'aimclr', 'skeletonclr_replicate')
    comparisons = table.snippet_comparisons(methods)
    fix = 'SkeletonCLR, replicate padding + snippets'
    assert comparisons == [
        ('SkeletonCLR + snippets', 'SkeletonCLR'),
        ('AimCLR + snippets', 'AimCLR'),
        (fix, 'SkeletonCLR, replicate padding'),
        (fix, 'SkeletonCLR'), (fix, 'SkeletonCLR + snippets')]
    rows = table.collect(plan(table, methods=methods), str(tmp_path))
    header, cells = markdown_rows(table.paired_table(rows, comparisons))
    assert header == ['difference', 'seeds', 'paper per seed', 'paper mean',
                      'paper positive']
    assert list(cells) == ['SkeletonCLR + snippets - SkeletonCLR',
                           f'{fix} - SkeletonCLR',
                           f'{fix} - SkeletonCLR + snippets']
    assert cells['SkeletonCLR + snippets - SkeletonCLR'] == {
        'difference': 'SkeletonCLR + snippets - SkeletonCLR',
        'seeds': '0, 1', 'paper per seed': '-40.0, -36.0',
        'paper mean': '-38.0', 'paper positive': '0 of 2'}
    assert cells[f'{fix} - SkeletonCLR']['paper mean'] == '-18.0'
    shipped = cells[f'{fix} - SkeletonCLR + snippets']
    assert shipped['paper per seed'] == '+30.0, +10.0'
    assert shipped['paper positive'] == '2 of 2'
    assert table.paired_table(rows, [('AimCLR + snippets', 'AimCLR')]) == ''


def write_smoothed_run(work_dir, paper, smoothed, window):
    folder = work_dir / STAMP
    folder.mkdir(parents=True)
    (folder / f'{STAMP}.json').write_text(json.dumps(
        smoothed_record(paper, smoothed, window)))


def test_earlier_csv_runs_join_the_new_seeds_under_both_protocols(
        table, tmp_path):
    """Seeds 0-1 tabled in one work root, its CSV read back beside seed 2
    run in another: SkeletonCLR smoothed 60, 70, 80 (mean 70, sample std
    10), paper 40, 50, 90 (mean 60); window and seeds survive the round
    trip; AimCLR never smooths, so it is tabled under the paper's protocol
    only, as before."""
    first, second = tmp_path / 'first', tmp_path / 'second'
    for seed, (paper, smoothed) in enumerate([(40, 60), (50, 70)]):
        write_smoothed_run(first / f'skeletonclr_stgcn_mocapmix_seed{seed}',
                           paper, smoothed, 0.5 + seed)
        write_train_run(first / f'aimclr_stgcn_mocapmix_seed{seed}',
                        10 + seed)
    write_smoothed_run(second / 'skeletonclr_stgcn_mocapmix_seed2', 90, 80,
                       2.0)
    methods = ('skeletonclr', 'aimclr')
    earlier = tmp_path / 'earlier.csv'
    earlier.write_text(table.csv_text(table.collect(
        plan(table, methods, seeds=(0, 1)), str(first))))
    runs = plan(table, methods, seeds=(2, ))
    order = list(dict.fromkeys(run.row for run in runs))
    rows = table.with_earlier_runs(table.collect(runs, str(second)),
                                   table.earlier_runs(str(earlier), order),
                                   order)
    assert [run['seed'] for run in rows['SkeletonCLR']] == [0, 1, 2]
    lines = list(csv.DictReader(table.csv_text(rows).splitlines()))
    skeletonclr = {(line['protocol'], line['kind'], line['seed']):
                   (line['mAP_avg'], line['window (s)']) for line in lines
                   if line['row'] == 'SkeletonCLR'}
    assert skeletonclr[('smoothed', 'run', '1')] == ('70.0000', '1.5000')
    assert skeletonclr[('smoothed', 'mean', '')] == ('70.0000', '1.3333')
    assert skeletonclr[('smoothed', 'std', '')][0] == '10.0000'
    assert skeletonclr[('paper', 'run', '0')] == ('40.0000', '')
    assert skeletonclr[('paper', 'mean', '')] == ('60.0000', '')
    aimclr = [(line['protocol'], line['kind'], line['mAP_avg'])
              for line in lines if line['row'] == 'AimCLR']
    assert aimclr == [('paper', 'run', '10.0000'), ('paper', 'run', '11.0000'),
                      ('paper', 'mean', '10.5000'), ('paper', 'std', '0.7071')]


def test_a_run_in_the_work_root_supersedes_its_earlier_line(table, tmp_path):
    fabricate(tmp_path / 'first')
    earlier = tmp_path / 'earlier.csv'
    runs = plan(table)
    earlier.write_text(table.csv_text(table.collect(runs,
                                                    str(tmp_path / 'first'))))
    write_train_run(tmp_path / 'second' / 'aimclr_stgcn_mocapmix_seed1', 20)
    order = list(dict.fromkeys(run.row for run in runs))
    rows = table.with_earlier_runs(
        table.collect(runs, str(tmp_path / 'second')),
        table.earlier_runs(str(earlier), order), order)
    assert [(run['seed'], run['tal/mAP_avg']) for run in rows['AimCLR']] == [
        (0, 85.0), (1, 20.0)]
    assert list(rows) == order[:5]
    assert rows['raw-pose floor'][0]['seed'] is None


@pytest.mark.parametrize('edit, message', [
    (lambda text: text.replace('mAP_avg', 'mAP'),
     'not a runs CSV of this kind'),
    (lambda text: text.replace('AimCLR,paper,run', 'HiCLR,paper,run', 1),
     "line 16: row 'HiCLR' is not a row of this table"),
    (lambda text: text.replace(',paper,run,rawpose', ',fused,run,rawpose'),
     "line 2: protocol 'fused' is not one of smoothed, paper"),
    (lambda text: text.replace('80.0000', 'eighty', 1),
     "line 2: could not convert string to float: 'eighty'"),
    (lambda text: text + text.splitlines()[1] + '\n',
     'run rawpose_mocapmix is listed twice under the paper protocol'),
    (lambda text: text + 'AimCLR,paper,run\n', 'line 20: 3 cells'),
])
def test_bad_earlier_csvs_are_refused_naming_file_and_line(
        table, tmp_path, capsys, monkeypatch, edit, message):
    fabricate(tmp_path)
    earlier = tmp_path / 'earlier.csv'
    earlier.write_text(edit(table.csv_text(table.collect(plan(table),
                                                         str(tmp_path)))))
    monkeypatch.chdir(REPO)
    assert table.main(['--dataset', 'mocapmix', '--seeds', '0', '1',
                       '--methods', 'skeletonclr', 'aimclr', '--work-root',
                       str(tmp_path), '--earlier', str(earlier), '--jobs',
                       '1', '--out', str(tmp_path / 'out.csv')]) == 2
    err = capsys.readouterr().err
    assert f'error: {earlier}' in err and message in err
    assert not (tmp_path / 'out.csv').exists()


def test_collect_only_tables_the_finished_runs_and_runs_nothing(
        table, tmp_path, capsys, monkeypatch):
    """AimCLR + snippets never finished: it is named, not run, not
    tabled; the other rows are (AimCLR 85, 87: mean 86)."""
    fabricate(tmp_path)

    def refuse(*args, **kwargs):
        raise AssertionError('--collect-only started a run')

    monkeypatch.setattr(table.subprocess, 'run', refuse)
    monkeypatch.chdir(REPO)
    out = tmp_path / 'table.csv'
    assert table.main(['--dataset', 'mocapmix', '--seeds', '0', '1',
                       '--methods', 'skeletonclr', 'aimclr', '--work-root',
                       str(tmp_path), '--collect-only', '--out',
                       str(out)]) == 0
    err = capsys.readouterr().err
    assert '2 runs have not finished' in err
    assert str(tmp_path / 'snippet_aimclr_stgcn_mocapmix_seed1') in err
    lines = list(csv.DictReader(out.read_text().splitlines()))
    assert 'AimCLR + snippets' not in {line['row'] for line in lines}
    assert [line['mAP_avg'] for line in lines
            if line['row'] == 'AimCLR' and line['kind'] == 'mean'] == [
        '86.0000']
    assert not (tmp_path / 'logs').exists()
    with pytest.raises(SystemExit):
        table.parse_args(['--dataset', 'mocapmix', '--dry-run',
                          '--collect-only'])

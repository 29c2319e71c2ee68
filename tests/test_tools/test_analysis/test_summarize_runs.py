"""tools/analysis/summarize_runs.py: the seed summary is the mean and sample
standard deviation per model; the Stage-2 summary adds frame scores and wall
time; paired differences use the seeds both groups ran."""
import json

import numpy as np
import pytest


def record(avg):
    return {key: avg for key in ('tal/mAP@0.1', 'tal/mAP@0.2',
                                 'tal/mAP@0.3', 'tal/mAP@0.4', 'tal/mAP@0.5',
                                 'tal/mAP_avg')}


def write_run(folder, avg):
    scalars = folder / '20260101_000000' / 'vis_data'
    scalars.mkdir(parents=True)
    (scalars / 'scalars.json').write_text(
        json.dumps({'loss': 1.0, 'step': 1}) + '\n' +
        json.dumps(dict(record(avg), step=2)) + '\n')


def test_seed_summary_is_mean_and_sample_std_per_model(tmp_path, load_tool):
    summarize = load_tool('analysis/summarize_runs')
    for seed, avg in enumerate((70.0, 72.0, 77.0)):
        write_run(tmp_path / f'base_seed{seed}', avg)
    runs = [str(p) for p in sorted(tmp_path.iterdir())]
    grouped = {}
    for run in runs:
        grouped.setdefault(summarize.group_name(run), []).append(
            summarize.final_metrics(run))
    row = summarize.summary_table(grouped).splitlines()[1].split('  ')
    cells = [c.strip() for c in row if c.strip()]
    # mean 73, sample std sqrt(((-3)^2 + (-1)^2 + 4^2) / 2) = sqrt(13)
    assert cells[:2] == ['base', '3']
    assert cells[-1] == f'73.0 ± {np.sqrt(13):.1f}'


def test_stage2_summary_adds_frame_scores_and_wall_time_in_markdown(
        tmp_path, load_tool):
    summarize = load_tool('analysis/summarize_runs')
    for seed, (acc, minutes) in enumerate(((60.0, 1), (64.0, 3))):
        folder = tmp_path / f'linear_seed{seed}'
        write_run(folder, 50.0 + seed)
        scalars = folder / '20260101_000000' / 'vis_data' / 'scalars.json'
        extra = {'tal/acc': acc, 'tal/edit': 30.0, 'tal/F1@50': 20.0}
        with open(scalars, 'a') as f:
            f.write(json.dumps(dict(json.loads(
                scalars.read_text().splitlines()[-1]), **extra)) + '\n')
        (folder / '20260101_000000' / '20260101_000000.log').write_text(
            '2026/01/01 10:00:05 - mmengine - INFO - start\n'
            'a line without a time stamp\n'
            f'2026/01/01 10:0{minutes}:05 - mmengine - INFO - done\n')
    runs = [str(p) for p in sorted(tmp_path.iterdir())]
    grouped = {}
    for run in runs:
        grouped.setdefault(summarize.group_name(run), []).append(
            summarize.final_metrics(run))
    lines = summarize.summary_table(grouped, markdown=True).splitlines()
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    row = [c.strip() for c in lines[2].strip('|').split('|')]
    assert header[-4:] == ['acc', 'edit', 'F1@50', 'wall_s']
    assert lines[1].count('---') == len(header)
    # acc 62 ± sqrt(8) = 2.83; wall 60 s and 180 s: 120 ± 85 (sqrt(7200))
    assert row[:2] == ['linear', '2']
    assert row[header.index('mAP_avg')] == '50.5 ± 0.7'
    assert row[-4] == '62.0 ± 2.8'
    assert row[-1] == '120 ± 85'


def test_protocol_views_of_a_run_that_smooths_and_one_that_does_not(
        load_tool):
    summarize = load_tool('analysis/summarize_runs')
    smoothing = {'tal/mAP_avg': 60.0, 'tal/smoothing_s': 1.0,
                 'tal_unsmoothed/mAP_avg': 40.0, 'wall_s': 9.0}
    plain = {'tal/mAP_avg': 50.0, 'wall_s': 7.0}
    assert summarize.protocol_view(smoothing, 'smoothed') == smoothing
    assert summarize.protocol_view(smoothing, 'paper') == {
        'tal/mAP_avg': 40.0, 'wall_s': 9.0}
    assert summarize.protocol_view(plain, 'smoothed') is None
    assert summarize.protocol_view(plain, 'paper') == plain
    runs = {'a': [smoothing], 'b': [plain]}
    assert list(summarize.protocol_runs(runs, 'smoothed')) == ['a']
    assert summarize.protocol_runs(runs, 'paper') == {
        'a': [{'tal/mAP_avg': 40.0, 'wall_s': 9.0}], 'b': [plain]}


def test_paired_differences_use_the_seeds_both_groups_ran(tmp_path,
                                                          load_tool, capsys):
    """fix at seeds 0, 1, 2 (60, 50, 71), base at seeds 0, 2, 3 (70, 65,
    80): the shared seeds 0 and 2 give -10 and +6, mean -2, 1 of 2
    positive; a name without a group is refused."""
    summarize = load_tool('analysis/summarize_runs')
    for name, seeds, values in [('fix', (0, 1, 2), (60.0, 50.0, 71.0)),
                                ('base', (0, 2, 3), (70.0, 65.0, 80.0))]:
        for seed, avg in zip(seeds, values):
            write_run(tmp_path / f'{name}_seed{seed}', avg)
    assert summarize.run_seed(str(tmp_path / 'fix_seed12/')) == 12
    assert summarize.run_seed('rawpose_mocapmix') is None
    runs = [str(p) for p in sorted(tmp_path.iterdir())]
    summarize.main(runs + ['--markdown', '--paired', 'fix:base'])
    printed = capsys.readouterr().out
    paired = printed[printed.index('Paired differences'):]
    assert ('| fix - base | 0, 2 | -10.0, +6.0 | -2.0 | 1 of 2 |'
            in paired)
    grouped = {'fix': [dict(summarize.final_metrics(run),
                            seed=summarize.run_seed(run))
                       for run in runs if 'fix' in run]}
    assert summarize.paired_differences(grouped, 'fix', 'base',
                                        'paper') == {}
    unseeded = {name: [dict(record(70.0), seed=None)]
                 for name in ('floor', 'other')}
    assert summarize.paired_differences(unseeded, 'floor', 'other',
                                        'paper') == {}
    with pytest.raises(SystemExit):
        summarize.main(runs + ['--paired', 'fix:nothing'])
    with pytest.raises(SystemExit):
        summarize.main(runs + ['--paired', 'fix'])


def test_runs_written_by_csv_join_later_seeds_by_earlier(tmp_path, load_tool,
                                                         capsys):
    """Seeds 0-1 of fix (60, 50) and base (70, 65) written to a CSV, their
    work dirs then gone; seed 2 (fix 71, base 80) run later and tabled with
    --earlier: fix 60, 50, 71 (mean 60.3, sample std 10.5). A later work
    dir base_seed1 (20) supersedes its earlier line (65), so the pairs are
    -10, +30, -9 (mean +3.7, 1 of 3). A file that is not such a CSV is
    refused, naming it."""
    summarize = load_tool('analysis/summarize_runs')
    first, later = tmp_path / 'first', tmp_path / 'later'
    for name, values in [('fix', (60.0, 50.0, 71.0)),
                         ('base', (70.0, 65.0, 80.0))]:
        for seed, avg in enumerate(values):
            write_run((first if seed < 2 else later) / f'{name}_seed{seed}',
                      avg)
    earlier = tmp_path / 'earlier.csv'
    summarize.main([str(p) for p in sorted(first.iterdir())] +
                   ['--csv', str(earlier)])
    capsys.readouterr()
    write_run(later / 'base_seed1', 20.0)
    summarize.main([str(p) for p in sorted(later.iterdir())] +
                   ['--markdown', '--earlier', str(earlier), '--paired',
                    'fix:base', '--csv', str(tmp_path / 'all.csv')])
    printed = capsys.readouterr().out
    assert '| fix | 3 | 60.3 ± 10.5 |' in printed
    assert '| fix - base | 0, 1, 2 | -10.0, +30.0, -9.0 | +3.7 | 1 of 3 |' in (
        printed)
    merged = summarize.read_runs_csv(str(tmp_path / 'all.csv'))
    assert [(run['name'], run['seed'], run['tal/mAP_avg'])
            for run in merged['base']] == [
        ('base_seed0', 0, 70.0), ('base_seed1', 1, 20.0),
        ('base_seed2', 2, 80.0)]
    bad = tmp_path / 'bad.csv'
    bad.write_text('model,mAP\nfix,1\n')
    with pytest.raises(SystemExit):
        summarize.main([str(later / 'fix_seed2'), '--earlier', str(bad)])
    assert f'{bad}: not a runs CSV' in capsys.readouterr().err

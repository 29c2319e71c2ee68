"""tools/data/prepare_babel.py writes every file and the report, prints the
label issues and the list files, and refuses bad arguments."""
import numpy as np
import pytest

from babel_world import (MOTIONS, add_bad_labels, add_missing_sequence,
                         make_world)


def test_cli_writes_every_file_and_the_report(tmp_path, load_tool, capsys):
    make_world(tmp_path)
    add_missing_sequence(tmp_path)
    out = tmp_path / 'cli'
    load_tool('data/prepare_babel').main([
        '--babel-dir', str(tmp_path / 'babel'), '--amass-root',
        str(tmp_path / 'amass'), '--joints-file',
        str(tmp_path / 'joints.npz'), '--out-dir', str(out),
        '--max-missing', '0.2'
    ])
    names = sorted(p.name for p in out.iterdir())
    assert names == ['babel_label_issues.txt', 'babel_missing.txt',
                     'babel_pretrain.pkl', 'babel_report.txt',
                     'babel_subset1.pkl', 'babel_subset2.pkl',
                     'babel_subset3.pkl', 'joints_cache']
    report = (out / 'babel_report.txt').read_text()
    assert 'train: 1 sequences, 301 frames, 0.00 h, 8 action instances' in \
        report
    printed = capsys.readouterr().out
    assert 'skipped 1 sequence(s)' in printed and '105: no AMASS' in printed


def test_cli_errors(tmp_path, load_tool):
    tool = load_tool('data/prepare_babel')
    with pytest.raises(SystemExit):
        tool.parse_args(['--babel-dir', 'b', '--amass-root', 'a',
                         '--joints-file', 'j.npz', '--gender', 'female'])
    with pytest.raises(SystemExit, match='error: .*train.json: BABEL '
                       'annotation file not found'):
        np.savez(tmp_path / 'j.npz', x=np.zeros(1))
        tool.main(['--babel-dir', str(tmp_path), '--amass-root', 'a',
                   '--joints-file', str(tmp_path / 'j.npz')])


def test_cli_prints_the_label_issues_and_the_list_file(tmp_path, load_tool,
                                                       capsys):
    make_world(tmp_path)
    add_bad_labels(tmp_path)
    load_tool('data/prepare_babel').main([
        '--babel-dir', str(tmp_path / 'babel'), '--amass-root',
        str(tmp_path / 'amass'), '--joints-file',
        str(tmp_path / 'joints.npz'), '--out-dir', str(tmp_path / 'cli')
    ])
    printed = capsys.readouterr().out
    listing = printed[printed.index('3 label(s) or duration(s)'):]
    assert listing.splitlines()[1:] == [
        '  101, seg-9.5: ends at 12 s, 1.99 s after the end of the motion '
        '(10.0083 s); clipped to [9.5, 10.0333] s',
        '  201, dur: BABEL dur 3 s, but the AMASS file lasts 6.00833 s (721 '
        'frames at 120 fps); kept',
        '  201, bad: start_t 5 s > end_t 4 s; dropped',
    ]
    assert 'babel_label_issues.txt' in listing.splitlines()[0]
    assert MOTIONS['201'][0] not in listing  # sequences named by id


def test_cli_refuses_a_max_missing_that_is_no_share(load_tool, capsys):
    tool = load_tool('data/prepare_babel')
    with pytest.raises(SystemExit):
        tool.parse_args(['--babel-dir', 'b', '--amass-root', 'a',
                         '--joints-file', 'j.npz', '--max-missing', '5'])
    assert '--max-missing must be a share in [0, 1]' in \
        capsys.readouterr().err
    assert tool.parse_args(['--babel-dir', 'b', '--amass-root', 'a',
                            '--joints-file', 'j.npz']).max_missing == 0.05

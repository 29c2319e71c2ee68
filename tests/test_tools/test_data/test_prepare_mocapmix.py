"""tools/data/prepare_mocapmix.py builds the file, keeps it when it is up to
date, and rebuilds it for another seed or with --force."""
import os
import os.path as osp
import subprocess
import sys
from pathlib import Path

from snippet_plugin.datasets.annotation import load_annotations

TOOL = Path(__file__).resolve().parents[3] / 'tools/data/prepare_mocapmix.py'


def test_prepare_script_builds_keeps_and_rebuilds(tmp_path, capsys,
                                                  load_tool):
    out = str(tmp_path / 'mm.pkl')
    prepare = load_tool('data/prepare_mocapmix').main
    small = ['--out', out, '--num-train', '2', '--num-val', '1']
    prepare(small)
    printed = capsys.readouterr().out
    assert 'built' in printed and ' kick ' in printed
    data = load_annotations(out)
    assert [len(v) for v in data['split'].values()] == [2, 1]
    stamp = osp.getmtime(out)
    prepare(small)
    assert 'kept' in capsys.readouterr().out
    assert osp.getmtime(out) == stamp
    prepare(small + ['--seed', '5'])
    assert 'built' in capsys.readouterr().out
    assert load_annotations(out)['meta']['seed'] == 5
    prepare(small + ['--seed', '5', '--force'])
    assert 'built' in capsys.readouterr().out


def test_a_dangling_data_link_is_one_line_not_a_traceback(tmp_path):
    """The fresh-clone failure of issue 19: ``data`` links to a folder that
    does not exist on this machine."""
    os.symlink(tmp_path / 'other_machine' / 'data', tmp_path / 'data')
    out = tmp_path / 'data' / 'mocapmix' / 'mocapmix.pkl'
    run = subprocess.run([
        sys.executable, str(TOOL), '--out', str(out), '--num-train', '1',
        '--num-val', '1'], capture_output=True, text=True)
    assert run.returncode == 1
    assert 'Traceback' not in run.stderr
    assert run.stderr.strip().splitlines()[-1:] == [
        f'error: cannot write under {out.parent}: {tmp_path / "data"} is a '
        f'symbolic link to {tmp_path / "other_machine" / "data"}, which does '
        'not exist; remove the link or create its target']

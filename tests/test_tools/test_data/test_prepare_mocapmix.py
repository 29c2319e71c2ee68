"""tools/data/prepare_mocapmix.py builds the file, keeps it when it is up to
date, and rebuilds it for another seed or with --force."""
import os.path as osp

from snippet_plugin.datasets.annotation import load_annotations


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

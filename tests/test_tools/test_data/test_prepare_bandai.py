"""tools/data/prepare_bandai.py: help, a build with statistics and a
drawing, and bad input refused with nothing written."""
import os.path as osp
import runpy

import pytest

from snippet_plugin.datasets.annotation import load_annotations
from bandai_fixtures import write_clone
from helpers import REPO

TOOL = REPO / 'tools' / 'data' / 'prepare_bandai.py'


@pytest.fixture(scope='module')
def prepare():
    return runpy.run_path(str(TOOL), run_name='tool')['main']


def test_help_lists_the_options(prepare, capsys):
    with pytest.raises(SystemExit) as exit_info:
        prepare(['--help'])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ('--src', '--out', '--subset', '--seed', '--num-train',
                   '--num-val', '--workers', '--draw'):
        assert option in out


def test_builds_prints_statistics_and_draws(tmp_path, prepare, capsys):
    clone = write_clone(tmp_path)
    out = tmp_path / 'out' / 'bm.pkl'
    drawing = tmp_path / 'vis' / 'val.png'
    prepare(['--src', str(clone), '--out', str(out), '--num-train', '2',
             '--num-val', '1', '--draw', str(drawing)])
    printed = capsys.readouterr().out
    assert "val styles ['elderly', 'sad']" in printed
    assert 'left out (one style only): dataset-1_call' in printed
    assert 'dataset-1_dance-long_normal_001.json' in printed
    assert 'train:     2 sequences' in printed.replace(' 2 sequences',
                                                        '     2 sequences')
    assert '  2  wave-left-hand' in printed
    data = load_annotations(str(out))
    assert [len(v) for v in data['split'].values()] == [2, 1]
    assert osp.getsize(drawing) > 10000


def test_bad_clip_exits_with_file_and_line_and_writes_nothing(tmp_path,
                                                              prepare):
    clone = write_clone(tmp_path)
    path = (clone / 'Bandai-Namco-Research-Motiondataset-2' / 'data' /
            'dataset-2_walk_normal_001.bvh')
    lines = path.read_text().splitlines()
    path.write_text('\n'.join(lines[:-3]) + '\n')  # cut the MOTION block
    out = tmp_path / 'out' / 'bm.pkl'
    with pytest.raises(SystemExit) as exit_info:  # a string: status 1
        prepare(['--src', str(clone), '--out', str(out)])
    message = exit_info.value.code
    assert message.startswith(f'error: {path}, line {len(lines) - 3}: file '
                              'ends after ')
    assert message.endswith('(truncated MOTION block?)')
    assert not out.exists() and not out.parent.exists()

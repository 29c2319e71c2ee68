"""map_with_progress with worker processes: an error in a worker ends the
pool cleanly and reaches the caller, and a tool then prints it last, on its
own line, and exits non-zero."""
import multiprocessing
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import write_pkummd_skeleton
from snippet_plugin.ingest.converters.common import (RawDataError,
                                                     map_with_progress,
                                                     refuse_empty)
from snippet_plugin.ingest.converters.pkummd import read_pkummd_skeleton

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def skeletons(tmp_path):
    """Four good PKU-MMD skeleton files and one whose line 2 is short."""
    paths = []
    for index in range(4):
        paths.append(tmp_path / f'good{index}.txt')
        write_pkummd_skeleton(paths[-1], np.full((3, 25, 3), index / 10))
    bad = tmp_path / 'bad.txt'
    bad.write_text('0 ' * 150 + '\n' + '0 ' * 149 + '\n')
    return paths, bad


def test_results_keep_the_order_of_the_items(skeletons):
    good, _ = skeletons
    results = map_with_progress(read_pkummd_skeleton, [str(p) for p in good],
                                workers=2)
    assert [float(r[0, 0, 0, 0]) for r in results] == pytest.approx(
        [0.0, 0.1, 0.2, 0.3])


def test_a_worker_error_reaches_the_caller_and_no_worker_survives(
        skeletons):
    good, bad = skeletons
    with pytest.raises(RawDataError, match=r'bad\.txt, line 2: 149 values'):
        map_with_progress(read_pkummd_skeleton,
                          [str(p) for p in good[:2] + [bad] + good[2:]],
                          workers=2)
    assert multiprocessing.active_children() == []


def test_the_tool_prints_the_error_last_on_its_own_line(skeletons):
    good, bad = skeletons
    folder = bad.parent
    for path in good:  # labels for every video
        (folder / 'labels').mkdir(exist_ok=True)
        (folder / 'labels' / path.name).write_text('1,0,1,1\n')
    (folder / 'labels' / 'bad.txt').write_text('1,0,1,1\n')
    (folder / 'train.txt').write_text('good0 good1 bad')
    (folder / 'val.txt').write_text('good2 good3')
    done = subprocess.run(
        [sys.executable, str(REPO / 'tools/data/prepare_pkummd.py'),
         '--skeleton-dir', str(folder), '--label-dir',
         str(folder / 'labels'), '--train-list', str(folder / 'train.txt'),
         '--val-list', str(folder / 'val.txt'), '--out',
         str(folder / 'out.pkl'), '--workers', '2'],
        capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 1
    assert done.stderr.endswith(
        f'\nerror: {bad}, line 2: 149 values, expected 150 (2 bodies x 25 '
        'joints x xyz)\n')  # last, on its own line
    assert 'Exception ignored' not in done.stderr
    assert 'Traceback' not in done.stderr
    assert done.stdout.endswith('\n')
    assert not (folder / 'out.pkl').exists()


def test_refuse_empty_names_the_empty_split():
    refuse_empty(dict(train=['a'], val=['b']), 'x', ('train', 'val'))
    with pytest.raises(RawDataError, match=r'^x: the val split would be '
                       r'empty \(samples per split: train 1, val 0\)'):
        refuse_empty(dict(train=['a'], val=[]), 'x', ('train', 'val'))
    with pytest.raises(RawDataError, match='^y: no sample was converted'):
        refuse_empty(dict(train=[], val=[]), 'y')

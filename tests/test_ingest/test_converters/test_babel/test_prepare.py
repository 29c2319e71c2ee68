"""prepare_babel never replaces good output with an empty one, refuses runs
that found too little motion, reports every label that does not fit its motion,
skips or refuses missing AMASS files, gives the same files with parallel
workers, drops sequences over max_frames, and adds extra training motion to
pretraining only."""
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from snippet_plugin.ingest.converters.babel import (JointsFileJoints,
                                                    prepare_babel)
from snippet_plugin.ingest.converters.common import RawDataError
from babel_world import (MOTIONS, add_bad_labels, add_missing_sequence,
                         babel_entry, make_world, run, samples, time_joints,
                         write_amass)

OUTPUTS = ('babel_pretrain.pkl', 'babel_subset1.pkl', 'babel_subset2.pkl',
           'babel_subset3.pkl')


def snapshot(folder):
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


@pytest.fixture
def converted(tmp_path):
    """A world converted once; its output bytes."""
    make_world(tmp_path)
    run(tmp_path)
    return tmp_path, snapshot(tmp_path / 'out')


def test_a_misspelt_amass_root_is_refused_and_keeps_the_output(converted):
    root, before = converted
    (root / 'amass').rename(root / 'amass_typo')
    with pytest.raises(RawDataError, match=r'none of the 6 BABEL sequence\(s'
                       r'\) has its motion under .*amass; nothing was '
                       r'written\. Check --amass-root\.') as caught:
        run(root)
    lines = str(caught.value).splitlines()
    assert lines[1].startswith('  101: no AMASS file (tried ')
    assert len(lines) == 5 and lines[-1] == '  ... and 3 more'  # examples
    assert snapshot(root / 'out') == before


def test_more_than_the_allowed_share_missing_is_refused_per_folder(
        converted):
    root, before = converted
    shutil.rmtree(root / 'amass' / 'DFaust')  # 103: 1 of 6 sequences
    with pytest.raises(RawDataError, match=r'1 of 6 BABEL sequences \(16\.7'
                       r'%\) have no motion under .*, more than --max-missing'
                       r' 0\.05; nothing was written\. Missing per top folder'
                       r' of feat_p: DFaust_67 1\. .* pass --max-missing '
                       r'0\.17 to convert the rest'):
        run(root)
    assert snapshot(root / 'out') == before
    result = run(root, max_missing=0.17)  # the explicit choice
    assert [sid for sid, _ in result.report.skipped] == ['103']


def test_an_output_that_would_be_empty_is_refused_and_nothing_written(
        converted):
    root, before = converted
    # 101 (301 frames) and 201 (181) are the only Subset-1 sequences.
    with pytest.raises(RawDataError, match=r'babel_subset1\.pkl would hold no'
                       r' sequence \(4 of 6 sequences kept, 3 of them '
                       r'labelled\); nothing was written to .*out, existing '
                       'files are unchanged'):
        run(root, max_frames=100)
    assert snapshot(root / 'out') == before


def test_bad_labels_are_clipped_reported_and_listed_with_warn(tmp_path):
    make_world(tmp_path)
    result = run(tmp_path)
    # 101 lasts 1201 / 120 s; its 'stand' label ends at 12 s (world).
    assert [(i.sid, i.segment, i.action) for i in result.label_issues] == [
        ('101', 'seg-9.5', 'clipped to [9.5, 10.0333] s')]
    line = (tmp_path / 'out' / 'babel_label_issues.txt').read_text()
    assert line == ('101\tseg-9.5\tends at 12 s, 1.99 s after the end of the '
                    'motion (10.0083 s)\tclipped to [9.5, 10.0333] s\n')
    segments = samples(result.files['babel_subset1.pkl'])[1]['101'][
        'segments']
    assert [285, 301, 1] in segments  # kept up to the last frame


def test_drop_leaves_a_sequence_whose_dur_differs_out_of_the_subsets(
        tmp_path):
    make_world(tmp_path)
    add_bad_labels(tmp_path)
    result = run(tmp_path, on_bad_segment='drop')
    assert {(i.sid, i.segment): i.action for i in result.label_issues} == {
        ('101', 'seg-9.5'): 'dropped',
        ('201', 'dur'): 'sequence left out of the subset files',
        ('201', 'bad'): 'dropped',
    }
    subset1 = samples(result.files['babel_subset1.pkl'])[1]
    assert sorted(subset1) == ['101']
    assert [285, 301, 1] not in subset1['101']['segments']


def test_error_stops_before_any_work_listing_each_label(tmp_path):
    make_world(tmp_path)
    add_bad_labels(tmp_path)
    with pytest.raises(RawDataError) as caught:
        run(tmp_path, on_bad_segment='error')
    assert str(caught.value).splitlines() == [
        '3 BABEL label(s) do not fit their motion; nothing was extracted. '
        'Use --on-bad-segment warn to clip them or drop to leave them out.',
        '  101, seg-9.5: ends at 12 s, 1.99 s after the end of the motion '
        '(10.0083 s)',
        '  201, dur: BABEL dur 3 s, but the AMASS file lasts 6.00833 s (721 '
        'frames at 120 fps)',
        '  201, bad: start_t 5 s > end_t 4 s',
    ]
    assert not (tmp_path / 'out').exists()


def test_extra_train_motion_joins_pretraining_without_duplicates(tmp_path):
    make_world(tmp_path)
    new = dict(babel_entry('103'), feat_p='KIT/9/extra_poses.npz',
               seq_anns=[], frame_anns=[{'labels': 'not read'}])
    extra = {
        '301': new,
        '101': babel_entry('101'),  # already in train.json
        '302': dict(new, feat_p=MOTIONS['201'][0]),  # val motion
    }
    (tmp_path / 'babel' / 'extra_train.json').write_text(json.dumps(extra))
    write_amass(tmp_path / 'amass' / 'KIT/9/extra_poses.npz', 31, 30.)
    joints = dict(np.load(tmp_path / 'joints.npz'))
    joints['KIT/9/extra_poses.npz'] = time_joints(31, 30.)
    with open(tmp_path / 'joints.pkl', 'wb') as f:  # the .pkl form
        pickle.dump(joints, f)
    result = prepare_babel(str(tmp_path / 'babel'), str(tmp_path / 'amass'),
                           str(tmp_path / 'out'),
                           JointsFileJoints.open(str(tmp_path / 'joints.pkl')),
                           with_extra=True)
    data, by_sid = samples(result.files['babel_pretrain.pkl'])
    assert data['split'] == {'train': ['101', '102', '103', '301']}
    np.testing.assert_allclose(by_sid['301']['keypoint'][0, :, 0, 0],
                               np.arange(31) / 30, atol=1e-6)
    assert '301' not in samples(result.files['babel_subset1.pkl'])[1]


def test_parallel_workers_give_the_same_files(tmp_path):
    make_world(tmp_path)
    serial = run(tmp_path, out='serial')
    parallel = run(tmp_path, out='parallel', workers=2)
    for name, path in serial.files.items():
        a, b = samples(path)[1], samples(parallel.files[name])[1]
        assert sorted(a) == sorted(b)
        for sid in a:
            np.testing.assert_array_equal(a[sid]['keypoint'],
                                          b[sid]['keypoint'])


def test_max_frames_drops_long_sequences_and_says_so(tmp_path):
    make_world(tmp_path)
    result = run(tmp_path, max_frames=200)
    _, pretrain = samples(result.files['babel_pretrain.pkl'])
    assert sorted(pretrain) == ['102', '103']
    assert dict(result.report.skipped) == {'101': '301 frames > max_frames 200'}
    assert result.extracted == 5  # the dropped motion is never extracted


def test_missing_amass_file_is_skipped_and_listed(tmp_path):
    make_world(tmp_path)
    add_missing_sequence(tmp_path)
    result = run(tmp_path, max_missing=0.2)  # 1 of 7 sequences missing
    assert [sid for sid, _ in result.report.skipped] == ['105']
    assert 'ACCAD/ACCAD/s1/gone.npz' in result.report.skipped[0][1]
    line = Path(result.missing_list).read_text().splitlines()
    assert line[0].split('\t')[:2] == ['105', 'ACCAD/ACCAD/s1/gone.npz']
    assert '105' not in samples(result.files['babel_pretrain.pkl'])[1]


def test_missing_amass_file_with_on_missing_error_stops_before_work(
        tmp_path):
    make_world(tmp_path)
    add_missing_sequence(tmp_path)
    with pytest.raises(RawDataError, match=r"105: no AMASS file.*gone\.npz"):
        run(tmp_path, on_missing='error')
    assert not (tmp_path / 'out').exists()

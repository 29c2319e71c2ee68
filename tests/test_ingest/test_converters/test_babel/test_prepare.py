"""prepare_babel never replaces good output with an empty one, refuses runs
that found too little motion, and reports every label that does not fit its
motion, in the result, the report file and the command line's summary."""
import json
import shutil

import pytest

from babel_world import MOTIONS, make_world, run, samples
from snippet_plugin.ingest.converters.common import RawDataError

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


def add_bad_labels(root):
    """Sequence 201 (181 frames at 30 fps): a reversed label, and a dur
    of 3 s where the motion lasts 721 / 120 s."""
    path = root / 'babel' / 'val.json'
    val = json.loads(path.read_text())
    val['201']['frame_ann']['labels'].append(
        dict(seg_id='bad', act_cat=['walk'], start_t=5.0, end_t=4.0))
    val['201']['dur'] = 3.0
    path.write_text(json.dumps(val))


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

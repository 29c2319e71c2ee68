"""BABEL JSON: dur and each label's seg_id are read for the label report; a bad
dur, invalid JSON, a malformed label, a missing file and an unsafe feat_p are
named with their file, sequence and field."""
import json

import pytest

from snippet_plugin.ingest.converters.babel import read_babel_json
from snippet_plugin.ingest.converters.common import RawDataError
from babel_world import babel_entry, make_world, run


def test_dur_and_label_names_are_read(tmp_path):
    entry = babel_entry('201')  # dur round(721 / 120, 3) = 6.008
    del entry['frame_ann']['labels'][1]['seg_id']
    (tmp_path / 'val.json').write_text(json.dumps({'201': entry}))
    [sequence] = read_babel_json(str(tmp_path / 'val.json'), 'val')
    assert sequence.dur == 6.008
    assert [label.name for label in sequence.labels] == [
        'seg-0.2', 'labels[1]', 'seg-4.0']


@pytest.mark.parametrize('dur', ['6 s', -1, True])
def test_a_dur_that_is_not_seconds_is_named(tmp_path, dur):
    entry = dict(babel_entry('201'), dur=dur)
    (tmp_path / 'val.json').write_text(json.dumps({'201': entry}))
    with pytest.raises(RawDataError, match=r"sequence '201': \"dur\" must be "
                       'a non-negative number of seconds'):
        read_babel_json(str(tmp_path / 'val.json'), 'val')


def test_invalid_json_names_the_file_and_line(tmp_path):
    make_world(tmp_path)
    (tmp_path / 'babel' / 'val.json').write_text('{"201": {"feat_p": \n]')
    with pytest.raises(RawDataError, match=r'val\.json: not valid JSON '
                       r'\(line 2'):
        run(tmp_path)


def test_malformed_label_names_file_sequence_and_field(tmp_path):
    path = tmp_path / 'train.json'
    entry = babel_entry('201')
    del entry['frame_ann']['labels'][1]['end_t']
    path.write_text(json.dumps({'201': entry}))
    with pytest.raises(RawDataError,
                       match=r"train\.json, sequence '201', frame_ann\."
                       r"labels\[1\]: missing or invalid field\(s\) "
                       r"\['end_t'\]"):
        read_babel_json(str(path), 'train')


def test_missing_babel_file_and_unsafe_feat_p_are_named(tmp_path):
    with pytest.raises(RawDataError, match='train.json: BABEL annotation '
                       'file not found'):
        read_babel_json(str(tmp_path / 'train.json'), 'train')
    path = tmp_path / 'val.json'
    path.write_text(json.dumps({'7': dict(feat_p='../etc/passwd.npz')}))
    with pytest.raises(RawDataError, match="sequence '7': needs a relative"):
        read_babel_json(str(path), 'val')

"""BABEL JSON: ``dur`` and each label's ``seg_id`` are read for the label
report; a bad ``dur`` is named with its sequence."""
import json

import pytest

from babel_world import babel_entry
from snippet_plugin.ingest.converters.babel import read_babel_json
from snippet_plugin.ingest.converters.common import RawDataError


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

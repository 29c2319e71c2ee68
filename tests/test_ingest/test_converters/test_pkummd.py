"""PKU-MMD conversion refuses a label file without any action unless told,
and a split that skipped videos would leave empty."""
import numpy as np
import pytest

from helpers import write_pkummd_skeleton
from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.pkummd import (convert_pkummd,
                                                     read_pkummd_labels)


@pytest.fixture
def raw(tmp_path):
    """Videos 0002-L (train) and 0005-R (val), 6 frames each."""
    for folder in ('skeleton', 'label'):
        (tmp_path / folder).mkdir()
    for video in ('0002-L', '0005-R'):
        write_pkummd_skeleton(tmp_path / 'skeleton' / f'{video}.txt',
                              np.ones((6, 25, 3)))
        (tmp_path / 'label' / f'{video}.txt').write_text('3,1,4,1\n')
    return tmp_path


def convert(raw, **kwargs):
    return convert_pkummd(str(raw / 'skeleton'), str(raw / 'label'),
                          dict(train=['0002-L'], val=['0005-R']), **kwargs)


def test_an_empty_label_file_is_refused(raw):
    (raw / 'label' / '0005-R.txt').write_text('\n')
    with pytest.raises(RawDataError, match=r'0005-R\.txt: no action in the '
                       'label file; its video would be all background. Pass '
                       '--allow-empty-labels if it has none'):
        convert(raw)


def test_an_empty_label_file_is_all_background_when_allowed(raw, load_tool):
    (raw / 'label' / '0005-R.txt').write_text('')
    (raw / 'train.txt').write_text('0002-L')
    (raw / 'val.txt').write_text('0005-R')
    out = raw / 'pku.pkl'
    load_tool('data/prepare_pkummd').main([
        '--skeleton-dir', str(raw / 'skeleton'), '--label-dir',
        str(raw / 'label'), '--train-list', str(raw / 'train.txt'),
        '--val-list', str(raw / 'val.txt'), '--out', str(out),
        '--allow-empty-labels'
    ])
    data = load_annotations(str(out))
    sample = data['annotations'][1]
    assert sample['frame_dir'] == '0005-R' and sample['segments'] == []
    np.testing.assert_array_equal(sample['frame_labels'], np.full(6, 51))
    _, report = convert(raw, allow_empty_labels=True)
    assert any('0005-R.txt: no action; the video is all background' in note
               for note in report.notes)


def test_labels_reader_alone_refuses_then_accepts(raw):
    path = raw / 'label' / 'empty.txt'
    path.write_text('')
    with pytest.raises(RawDataError, match='no action in the label file'):
        read_pkummd_labels(str(path), 6)
    segments, _ = read_pkummd_labels(str(path), 6, allow_empty=True)
    assert segments.shape == (0, 3)


def test_skip_that_would_empty_the_val_split_is_refused(raw):
    (raw / 'skeleton' / '0005-R.txt').unlink()
    with pytest.raises(RawDataError, match=r'\(1 listed video\(s\) lack '
                       r'their files\): the val split would be empty '
                       r'\(samples per split: train 1, val 0\); nothing was '
                       'written'):
        convert(raw, on_missing='skip')

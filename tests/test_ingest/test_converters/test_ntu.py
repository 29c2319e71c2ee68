"""NTU conversion refuses a missing folder or ignore list with a clear
error, and refuses to write a file without any clip."""
import pytest

from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.ntu import (convert_ntu_pickle,
                                                  convert_ntu_skeletons,
                                                  read_ignore_list)


def test_a_missing_skeleton_folder_is_named(tmp_path):
    with pytest.raises(RawDataError, match=r'nowhere: skeleton folder not '
                       'found'):
        convert_ntu_skeletons(str(tmp_path / 'nowhere'))


def test_a_missing_ignore_list_is_named(tmp_path):
    with pytest.raises(RawDataError, match=r'gone\.txt: ignore list not '
                       'found'):
        read_ignore_list(str(tmp_path / 'gone.txt'))


def test_a_folder_of_empty_skeleton_files_writes_nothing(tmp_path,
                                                        load_tool):
    folder = tmp_path / 'skeletons'
    folder.mkdir()
    for name in ('S001C001P001R001A001', 'S001C001P003R001A002'):
        (folder / f'{name}.skeleton').write_text('0\n')
    out = tmp_path / 'ntu.pkl'
    with pytest.raises(SystemExit) as stopped:
        load_tool('data/prepare_ntu').main(
            ['--skeleton-dir', str(folder), '--out', str(out)])
    assert str(stopped.value) == (
        f'error: {folder} (2 NTU-60 .skeleton file(s) read, 2 skipped, e.g. '
        'S001C001P001R001A001.skeleton: empty file (0 frames)): no sample '
        'was converted; nothing was written')
    assert not out.exists()


def test_a_folder_without_skeleton_files_writes_nothing(tmp_path):
    with pytest.raises(RawDataError, match=r'\(0 NTU-60 \.skeleton file\(s\)'
                       r' read, 0 skipped\): no sample was converted'):
        convert_ntu_skeletons(str(tmp_path))


def test_a_pickle_without_an_ntu60_sample_writes_nothing(tmp_path):
    import pickle
    path = tmp_path / 'ntu120.pkl'
    with open(path, 'wb') as f:
        pickle.dump(dict(split=dict(xsub_train=['S018C001P008R001A061'],
                                    xsub_val=[]),
                         annotations=[dict(frame_dir='S018C001P008R001A061',
                                           total_frames=1, keypoint=[])]), f)
    with pytest.raises(RawDataError, match=r'ntu120\.pkl: no sample was '
                       'converted; nothing was written'):
        convert_ntu_pickle(str(path))

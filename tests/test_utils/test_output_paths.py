"""Output folders: missing ones are created, and a dangling link or a file
on the way is refused with a message that names it."""
import os

import pytest

from snippet_plugin.utils.atomic_io import atomic_write
from snippet_plugin.utils.output_paths import (OutputPathError,
                                               exit_on_unwritable_output,
                                               make_output_folder,
                                               make_output_parent)


def test_missing_folders_are_created(tmp_path):
    folder = tmp_path / 'a' / 'b' / 'c'
    assert make_output_folder(str(folder)) == str(folder)
    assert folder.is_dir()
    make_output_folder(str(folder))  # existing: nothing to do
    assert make_output_parent(str(tmp_path / 'x' / 'f.pkl')) == str(
        tmp_path / 'x' / 'f.pkl')
    assert (tmp_path / 'x').is_dir()


def test_relative_folders_are_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_output_folder('work_dirs/demo')
    assert (tmp_path / 'work_dirs' / 'demo').is_dir()


def test_a_link_to_an_existing_folder_is_followed(tmp_path):
    (tmp_path / 'real').mkdir()
    os.symlink(tmp_path / 'real', tmp_path / 'data')
    make_output_folder(str(tmp_path / 'data' / 'mocapmix'))
    assert (tmp_path / 'real' / 'mocapmix').is_dir()


@pytest.mark.parametrize('depth', [0, 1])
def test_a_dangling_link_on_the_way_is_named(tmp_path, depth):
    link = tmp_path / 'data'
    os.symlink(tmp_path / 'gone' / 'data', link)
    folder = link / 'mocapmix' if depth else link
    with pytest.raises(OutputPathError) as err:
        make_output_folder(str(folder))
    message = str(err.value)
    assert f'{link} is a symbolic link to {tmp_path / "gone" / "data"}' in (
        message)
    assert 'does not exist' in message and '\n' not in message
    assert not (tmp_path / 'gone').exists()


def test_a_relative_dangling_link_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink('/nonexistent/work', 'work_dirs')
    with pytest.raises(OutputPathError, match='work_dirs is a symbolic link'):
        make_output_folder('work_dirs/demo')


def test_a_file_where_a_folder_is_needed_is_named(tmp_path):
    (tmp_path / 'data').write_text('')
    with pytest.raises(OutputPathError,
                       match=f'{tmp_path / "data"} is a file, not a folder'):
        make_output_parent(str(tmp_path / 'data' / 'mocapmix' / 'm.pkl'))


def test_a_dangling_link_or_a_folder_as_the_output_file_is_refused(
        tmp_path):
    os.symlink(tmp_path / 'gone.pkl', tmp_path / 'out.pkl')
    with pytest.raises(OutputPathError, match='out.pkl: it is a symbolic'):
        make_output_parent(str(tmp_path / 'out.pkl'))
    with pytest.raises(OutputPathError, match='it is a folder'):
        make_output_parent(str(tmp_path))


def test_atomic_write_refuses_a_dangling_parent(tmp_path):
    os.symlink(tmp_path / 'gone', tmp_path / 'data')
    with pytest.raises(OutputPathError, match='data is a symbolic link'):
        atomic_write(str(tmp_path / 'data' / 'mocapmix' / 'm.pkl'), b'x')


def test_the_tools_exit_with_one_line(tmp_path):
    os.symlink(tmp_path / 'gone', tmp_path / 'data')
    with pytest.raises(SystemExit) as exit_info:
        with exit_on_unwritable_output():
            make_output_folder(str(tmp_path / 'data' / 'x'))
    assert str(exit_info.value).startswith('error: cannot write under ')
    with exit_on_unwritable_output():
        assert make_output_folder(str(tmp_path / 'ok')) == str(
            tmp_path / 'ok')

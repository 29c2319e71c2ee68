"""What is tracked works on any machine: no symbolic link in the index
points outside the repository (an absolute target, or ``..`` past the
root), since on another machine it dangles and every write under it fails.
"""
import os
import posixpath
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SYMLINK_MODE = '120000'


def tracked_symlinks(repo: Path) -> dict:
    """``{path: target}`` of every symbolic link in ``repo``'s git index
    (mode 120000), targets read from the index, not the work tree."""
    listing = subprocess.run(['git', 'ls-files', '-s', '-z'], cwd=repo,
                             capture_output=True, check=True).stdout
    links = {}
    for entry in listing.decode().split('\0'):
        if not entry.startswith(SYMLINK_MODE + ' '):
            continue
        meta, path = entry.split('\t', 1)
        blob = meta.split()[1]
        links[path] = subprocess.run(['git', 'cat-file', 'blob', blob],
                                     cwd=repo, capture_output=True,
                                     check=True).stdout.decode()
    return links


def escaping_symlinks(repo: Path) -> dict:
    """The tracked links whose target is absolute or climbs above the
    repository root: ``{path: target}``."""
    escaping = {}
    for path, target in tracked_symlinks(repo).items():
        resolved = posixpath.normpath(
            posixpath.join(posixpath.dirname(path), target))
        if posixpath.isabs(target) or resolved == '..' or resolved.startswith(
                '../'):
            escaping[path] = target
    return escaping


def git_work_tree(repo: Path) -> bool:
    """Whether ``repo`` is a git work tree and git is installed."""
    if shutil.which('git') is None:
        return False
    probe = subprocess.run(['git', 'rev-parse', '--is-inside-work-tree'],
                           cwd=repo, capture_output=True, text=True)
    return probe.returncode == 0 and probe.stdout.strip() == 'true'


@pytest.fixture
def scratch_repo(tmp_path):
    """An empty git repository with one tracked file, ``a/file.txt``."""
    if shutil.which('git') is None:
        pytest.skip('git is not installed')
    repo = tmp_path / 'repo'
    (repo / 'a').mkdir(parents=True)
    (repo / 'a' / 'file.txt').write_text('x')
    subprocess.run(['git', 'init', '-q'], cwd=repo, check=True)
    return repo


def track_link(repo: Path, path: str, target: str) -> None:
    """Create the link ``path`` -> ``target`` in ``repo`` and add it."""
    os.symlink(target, repo / path)
    subprocess.run(['git', 'add', '-A'], cwd=repo, check=True)


@pytest.mark.skipif(not git_work_tree(REPO),
                    reason='not a git checkout (e.g. an sdist)')
def test_no_tracked_symlink_leaves_the_repository():
    assert escaping_symlinks(REPO) == {}


def test_an_absolute_link_is_caught(scratch_repo, tmp_path):
    track_link(scratch_repo, 'data', str(tmp_path / 'elsewhere'))
    assert escaping_symlinks(scratch_repo) == {
        'data': str(tmp_path / 'elsewhere')}


def test_a_link_climbing_past_the_root_is_caught(scratch_repo):
    track_link(scratch_repo, 'a/up', '../../outside')
    track_link(scratch_repo, 'root', '..')
    assert escaping_symlinks(scratch_repo) == {'a/up': '../../outside',
                                               'root': '..'}


def test_links_inside_the_repository_are_allowed(scratch_repo):
    track_link(scratch_repo, 'a/same', 'file.txt')
    track_link(scratch_repo, 'b', 'a/../a/file.txt')
    assert tracked_symlinks(scratch_repo) == {'a/same': 'file.txt',
                                              'b': 'a/../a/file.txt'}
    assert escaping_symlinks(scratch_repo) == {}


def test_data_is_ignored_as_a_link_a_file_or_a_folder(scratch_repo):
    shutil.copy(REPO / '.gitignore', scratch_repo / '.gitignore')
    os.symlink('/nonexistent/data', scratch_repo / 'data')
    subprocess.run(['git', 'add', '-A'], cwd=scratch_repo, check=True)
    assert 'data' not in tracked_symlinks(scratch_repo)

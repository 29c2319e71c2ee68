"""atomic_write: an interrupted write keeps the previous file and leaves
nothing behind."""
import os

import pytest

from snippet_plugin.utils import atomic_write


def test_interrupted_atomic_write_keeps_the_previous_file(tmp_path,
                                                          monkeypatch):
    path = tmp_path / 'iter_3.pth'
    atomic_write(str(path), b'complete checkpoint')

    def fail(fd):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'fsync', fail)
    with pytest.raises(OSError, match='disk full'):
        atomic_write(str(path), b'half')
    assert path.read_bytes() == b'complete checkpoint'
    assert [p.name for p in tmp_path.iterdir()] == ['iter_3.pth']

"""Shared test helpers."""
import importlib.util

import pytest

from helpers import REPO, write_ntu_world, write_pkummd_world

TOOLS = REPO / 'tools'


@pytest.fixture
def load_tool():
    """Import ``tools/<name>.py`` as a module (tools are scripts, not a package)."""

    def load(name):
        spec = importlib.util.spec_from_file_location(f'tool_{name}',
                                                      TOOLS / f'{name}.py')
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture
def ntu_raw(tmp_path):
    """NTU-60 ``.skeleton`` files in the published format
    (``helpers.write_ntu_world``)."""
    return write_ntu_world(tmp_path)


@pytest.fixture
def pkummd_raw(tmp_path):
    """PKU-MMD skeleton, label and split files in the published formats
    (``helpers.write_pkummd_world``)."""
    return write_pkummd_world(tmp_path)


@pytest.fixture(scope='module')
def mocapmix_dir(tmp_path_factory):
    """A folder holding ``data/mocapmix/mocapmix.pkl`` (4 train, 2 val), the
    relative path the quick-start configs read; ``chdir`` there to use it."""
    from snippet_plugin.datasets.annotation import save_annotations
    from snippet_plugin.ingest.mocapmix import build_mocapmix
    root = tmp_path_factory.mktemp('mocapmix_root')
    save_annotations(build_mocapmix(seed=0, num_train=4, num_val=2),
                     str(root / 'data' / 'mocapmix' / 'mocapmix.pkl'))
    return root


@pytest.fixture(scope='module')
def quickstart_dir(mocapmix_dir):
    """``mocapmix_dir`` plus ``data/bandaimix/bandaimix.pkl`` (3 train, 2 val
    sequences built from a generated small Bandai-Namco clone): every
    quick-start config finds its data there."""
    from bandai_fixtures import write_clone

    from snippet_plugin.datasets.annotation import save_annotations
    from snippet_plugin.ingest.bandaimix import (build_from_library,
                                                 load_library)
    clone = write_clone(mocapmix_dir / 'bandai_clone')
    data = build_from_library(load_library(str(clone))[0], seed=0,
                              num_train=3, num_val=2)
    out = mocapmix_dir / 'data' / 'bandaimix' / 'bandaimix.pkl'
    save_annotations(data, str(out))
    return mocapmix_dir

"""Shared test helpers."""
import importlib.util
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / 'tools'


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

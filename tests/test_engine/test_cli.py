"""Which prepare script a missing annotation file points to."""
from pathlib import Path

from snippet_plugin.engine.cli import prepare_command

DATA_TOOLS = Path(__file__).resolve().parents[2] / 'tools' / 'data'


def test_prepare_command_is_the_script_of_the_dataset_in_the_path():
    assert prepare_command('data/pkummd/pkummd_xsub.pkl', DATA_TOOLS) == (
        'python tools/data/prepare_pkummd.py')
    assert prepare_command('data/ntu60/ntu60_xsub.npz', DATA_TOOLS) == (
        'python tools/data/prepare_ntu.py')
    assert prepare_command('data/mocapmix/mocapmix.pkl', DATA_TOOLS) == (
        'python tools/data/prepare_mocapmix.py')
    assert prepare_command('data/own/recordings.pkl', DATA_TOOLS) == (
        'the matching tools/data/prepare_*.py script')

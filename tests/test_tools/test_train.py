"""``tools/train.py``: the ``--tensorboard`` flag and the one-line exit on
a dataset that is not prepared yet."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

ROOT = Path(__file__).resolve().parents[2]
REAL_FIND_SPEC = importlib.util.find_spec


def find_spec_with_tensorboard(installed):
    """``importlib.util.find_spec`` that reports ``tensorboard`` as
    ``installed`` (whatever this machine has) and asks the real one for
    anything else."""

    def find_spec(name, *args, **kwargs):
        if name == 'tensorboard':
            return object() if installed else None
        return REAL_FIND_SPEC(name, *args, **kwargs)

    return find_spec


def runtime_config():
    return Config(dict(visualizer=dict(
        type='ActionVisualizer',
        vis_backends=[dict(type='LocalVisBackend')])))


def test_tensorboard_flag_adds_the_backend_once(load_tool, monkeypatch):
    monkeypatch.setattr(importlib.util, 'find_spec',
                        find_spec_with_tensorboard(installed=True))
    train = load_tool('train')
    args = train.parse_args(['c.py', '--tensorboard'])
    cfg = train.merge_args(runtime_config(), args)
    assert [b['type'] for b in cfg.visualizer.vis_backends] == [
        'LocalVisBackend', 'TensorboardVisBackend']
    again = train.merge_args(cfg, args)
    assert [b['type'] for b in again.visualizer.vis_backends] == [
        'LocalVisBackend', 'TensorboardVisBackend']
    plain = train.merge_args(runtime_config(), train.parse_args(['c.py']))
    assert [b['type'] for b in plain.visualizer.vis_backends] == [
        'LocalVisBackend']


def test_tensorboard_flag_without_the_package_says_how_to_install_it(
        load_tool, monkeypatch):
    monkeypatch.setattr(importlib.util, 'find_spec',
                        find_spec_with_tensorboard(installed=False))
    train = load_tool('train')
    with pytest.raises(SystemExit, match='pip install tensorboard'):
        train.merge_args(runtime_config(),
                         train.parse_args(['c.py', '--tensorboard']))


def test_missing_dataset_is_one_line_naming_the_prepare_script(tmp_path):
    """The README's headline command on a fresh clone (no ``data/``)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS='ignore')
    result = subprocess.run(
        [sys.executable, str(ROOT / 'tools' / 'train.py'),
         str(ROOT / 'configs' / 'snippet_rvtclr_2sagcn_babel.py'),
         '--work-dir', str(tmp_path / 'work')],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr + result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        'data/babel/babel_pretrain.pkl: annotation file not found. Prepare '
        'the dataset first: python tools/data/prepare_babel.py (see '
        'docs/datasets.md)')

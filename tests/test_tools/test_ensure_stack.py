"""tools/ensure_stack.py: the stdlib-only bootstrap behind `make install`."""
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / 'tools' / 'ensure_stack.py'


@pytest.fixture
def ensure_stack(load_tool):
    return load_tool('ensure_stack')


@pytest.mark.parametrize('line,version,expected', [
    ('torch==2.13.0', '2.13.0+cpu', True),
    ('torch==2.13.0', '2.13.1', False),
    ('torch==2.13', '2.13.0', True),
    ('setuptools<81', '80.9.0', True),
    ('setuptools<81', '81.0.0', False),
    ('numpy>=2,<3', '2.1.3', True),
    ('numpy>=2,<3', '1.26.4', False),
    ('numpy>=2,<3', '3.0.0', False),
    ('mmengine!=0.10.6', '0.10.6', False),
    ('matplotlib>=3.7', '3.10.0', True),
    ('pytest', '8.0.0', True),
    ('x<=1.2', 'rc1', False),
])
def test_version_clauses(ensure_stack, line, version, expected):
    assert ensure_stack.Requirement(line).contains(version) is expected


def test_names_are_normalised(ensure_stack):
    assert ensure_stack.Requirement('Snippet_Plugin>=0.1').name == (
        'snippet-plugin')


@pytest.mark.parametrize('line', ['torch~=2.13', 'torch==2.*', 'torch @ x'])
def test_unsupported_lines_are_refused_with_the_file_and_line(
        ensure_stack, tmp_path, line):
    req = tmp_path / 'req.txt'
    req.write_text('# pins\nnumpy>=2\n' + line + '\n')
    with pytest.raises(ensure_stack.RequirementError, match=r'req\.txt:3'):
        ensure_stack.read_requirements([req])


def test_pinned_files_parse(ensure_stack):
    names = [
        r.name for r in ensure_stack.read_requirements([
            REPO / 'requirements' / 'pinned.txt', REPO / 'requirements' /
            'tests.txt'
        ])
    ]
    assert names[0] == 'torch'
    assert {'mmengine', 'mmcv-lite', 'mmaction2', 'pytest'} <= set(names)


def run(python, *args):
    return subprocess.run([str(python), str(SCRIPT), *args],
                          capture_output=True,
                          text=True,
                          check=True).stdout.strip().splitlines()


def test_a_bare_interpreter_plans_a_project_environment(tmp_path):
    # -S: no site-packages, so nothing beyond the standard library is
    # importable (no `packaging`), as on a distribution's python3.
    target = tmp_path / 'env'
    out = subprocess.run([
        sys.executable, '-S', str(SCRIPT), '--dry-run', '--venv',
        str(target)
    ],
                         capture_output=True,
                         text=True,
                         check=True).stdout.splitlines()
    assert out[0].endswith(f'-m venv {target}')
    assert out[1].startswith('stack: would install torch==2.13.0, ')
    assert not target.exists()


def test_an_environment_installs_into_itself(tmp_path):
    env = tmp_path / 'env'
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / 'bin' / 'python'
    assert run(python, '--interpreter', '--venv', str(tmp_path / 'other')) \
        == [str(python)]


def test_outside_an_environment_the_project_one_is_used(tmp_path,
                                                        ensure_stack,
                                                        monkeypatch):
    monkeypatch.setattr(sys, 'prefix', str(tmp_path))
    monkeypatch.setattr(sys, 'base_prefix', str(tmp_path))
    assert not ensure_stack.in_environment()
    assert ensure_stack.target_interpreter('.venv') == (REPO / '.venv' /
                                                        'bin' / 'python')
    (tmp_path / 'conda-meta').mkdir()
    assert ensure_stack.in_environment()

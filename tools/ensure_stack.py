"""Install the pinned stack into the right environment, only what is missing.

Standard library only: it runs on a bare distribution interpreter (Debian's
``python3``, marked EXTERNALLY-MANAGED by PEP 668) before anything else is
installed. Usage::

    python3 tools/ensure_stack.py --interpreter [--venv .venv]
    python3 tools/ensure_stack.py [--venv .venv] [--dry-run] requirements/pinned.txt ...

Where it installs:

- an interpreter that already runs in a virtual environment (``venv``,
  ``virtualenv``) or a conda environment installs into that environment, as
  it is;
- any other interpreter (a distribution's or a pyenv/system build) gets a
  project environment, ``--venv`` (default ``.venv`` in the repository),
  made with ``python -m venv`` on first use; the installs then run inside it.

``--interpreter`` prints the interpreter that ``make`` should run everything
with (and creates nothing). Without it, each requirement line is checked
against the installed distribution's version; torch goes first and alone,
so that no other package can pull an unpinned (multi-GB CUDA) torch, and
every pin constrains every ``pip install``. A full
``mmcv`` 2.0.x satisfies the ``mmcv-lite`` pin, so an existing OpenMMLab
environment is left as it is. Finally the plug-in itself is installed in
editable mode if this checkout is not the one installed.

Requirement lines support ``name``, ``name==v``, ``!=``, ``>=``, ``<=``,
``>``, ``<`` and comma-separated combinations of them over release versions
(``2.13.0``; local labels such as ``+cpu`` are ignored when comparing, as
PEP 440 does for specifiers without one). Anything else is refused with the
file and line.
"""
import argparse
import json
import operator
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MMCV_FLAVOURS = ('mmcv-lite', 'mmcv')
REQUIREMENT = re.compile(r'^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$')
CLAUSE = re.compile(r'^(==|!=|>=|<=|>|<)\s*([0-9]+(?:\.[0-9]+)*)$')
RELEASE = re.compile(r'^([0-9]+(?:\.[0-9]+)*)')
COMPARE = {
    '==': operator.eq,
    '!=': operator.ne,
    '>=': operator.ge,
    '<=': operator.le,
    '>': operator.gt,
    '<': operator.lt,
}


class RequirementError(ValueError):
    """A requirement line this bootstrap cannot read."""


def release_tuple(version, width):
    """``'2.13.0+cpu'`` -> ``(2, 13, 0)``, zero-padded to ``width`` parts;
    ``None`` for a version with no leading release number."""
    match = RELEASE.match(version)
    if match is None:
        return None
    parts = [int(p) for p in match.group(1).split('.')]
    return tuple(parts + [0] * (width - len(parts)))


class Requirement:
    """``name`` and the clauses ``[(operator, version), ...]`` of one line."""

    def __init__(self, line, where='requirement'):
        match = REQUIREMENT.match(line.strip())
        if match is None:
            raise RequirementError(f'{where}: cannot read {line!r}')
        self.name = match.group(1).lower().replace('_', '-')
        self.text = line.strip()
        self.clauses = []
        spec = match.group(2).strip()
        for clause in filter(None, (c.strip() for c in spec.split(','))):
            found = CLAUSE.match(clause)
            if found is None:
                raise RequirementError(
                    f'{where}: unsupported version clause {clause!r} in '
                    f'{line.strip()!r} (this bootstrap reads ==, !=, >=, <=, '
                    '>, < over release numbers)')
            self.clauses.append(found.groups())

    def contains(self, version):
        """Whether an installed ``version`` string meets every clause."""
        for operator, wanted in self.clauses:
            width = max(len(wanted.split('.')), len(version.split('.')))
            have = release_tuple(version, width)
            if have is None or not COMPARE[operator](
                    have, release_tuple(wanted, width)):
                return False
        return True

    def __str__(self):
        return self.text


def read_requirements(paths):
    """Requirement objects from pip-style files (comments and blanks skipped)."""
    found = []
    for path in paths:
        for number, line in enumerate(Path(path).read_text().splitlines(), 1):
            line = line.split('#', 1)[0].strip()
            if line:
                found.append(Requirement(line, f'{path}:{number}'))
    return found


def installed_version(name):
    """The installed version of a distribution, or None."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def is_satisfied(requirement):
    """Whether an installed distribution meets ``requirement``."""
    names = MMCV_FLAVOURS if requirement.name in MMCV_FLAVOURS else (
        requirement.name, )
    return any(
        version is not None and requirement.contains(version)
        for version in map(installed_version, names))


def in_environment():
    """Whether this interpreter runs in a virtual or conda environment."""
    return (sys.prefix != getattr(sys, 'base_prefix', sys.prefix)
            or (Path(sys.prefix) / 'conda-meta').is_dir())


def venv_python(venv):
    """The interpreter of the project environment at ``venv`` (relative to
    the repository unless absolute)."""
    return REPO / venv / 'bin' / 'python'


def target_interpreter(venv):
    """The interpreter the stack belongs to: this one inside an
    environment, else the project environment's."""
    return Path(sys.executable) if in_environment() else venv_python(venv)


def create_venv(venv):
    """Make the project environment with this interpreter's ``venv``."""
    print(f'+ {sys.executable} -m venv {venv}', flush=True)
    result = subprocess.run([sys.executable, '-m', 'venv', str(venv)])
    if result.returncode != 0:
        sys.exit(f'error: could not create the project environment {venv} '
                 f'with {sys.executable} -m venv (exit {result.returncode}). '
                 'On Debian/Ubuntu install the venv module first '
                 '(apt install python3-venv), or activate a virtual or conda '
                 'environment and run make again.')


def plugin_installed_from_here():
    """Whether ``snippet_plugin`` is installed, editable, from this checkout."""
    try:
        dist = metadata.distribution('snippet_plugin')
    except metadata.PackageNotFoundError:
        return False
    direct_url = dist.read_text('direct_url.json')
    if not direct_url:
        return False
    return json.loads(direct_url).get('url', '') == REPO.as_uri()


def pip_install(args, dry_run):
    """Run ``pip install`` with ``args`` in this interpreter."""
    command = [sys.executable, '-m', 'pip', 'install', *args]
    print('+', ' '.join(command), flush=True)
    if not dry_run:
        subprocess.check_call(command)


def install_missing(paths, dry_run):
    """Install missing requirements of ``paths``, torch first, then the
    plug-in, into this interpreter."""
    missing = [r for r in read_requirements(paths) if not is_satisfied(r)]
    torch_first = [str(r) for r in missing if r.name == 'torch']
    others = [str(r) for r in missing if r.name != 'torch']
    # every pin constrains every batch: torch itself asks for a newer
    # setuptools than mmengine can use
    constraints = [arg for path in paths for arg in ('-c', str(path))]
    for batch in (torch_first, others):
        if batch:
            pip_install(batch + constraints, dry_run)
    done = [str(r) for r in missing]
    if not plugin_installed_from_here():
        pip_install(['--no-deps', '--no-build-isolation', '-e', str(REPO)],
                    dry_run)
        done.append('snippet_plugin (editable)')
    verb = 'would install ' if dry_run else 'installed '
    print('stack: ' + (verb + ', '.join(done) if done else
                       'nothing to install'))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('requirements', nargs='*', type=Path,
                        default=[REPO / 'requirements' / 'pinned.txt'])
    parser.add_argument('--venv', default='.venv',
                        help='project environment made when this interpreter '
                        'is in no environment (relative to the repository)')
    parser.add_argument('--interpreter', action='store_true',
                        help='print the interpreter to run with, and exit')
    parser.add_argument('--dry-run', action='store_true',
                        help='print the pip commands instead of running them')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    target = target_interpreter(args.venv)
    if args.interpreter:
        print(target)
        return
    read_requirements(args.requirements)
    if Path(sys.executable) != target:
        if not target.exists():
            if args.dry_run:
                print(f'+ {sys.executable} -m venv {target.parents[1]}')
                print('stack: would install ' + ', '.join(
                    map(str, read_requirements(args.requirements))) +
                      ', snippet_plugin (editable) into a new environment')
                return
            create_venv(target.parents[1])
        os.execv(str(target), [
            str(target), __file__, *map(str, args.requirements),
            *(['--dry-run'] if args.dry_run else [])
        ])
    install_missing(args.requirements, args.dry_run)


if __name__ == '__main__':
    main()

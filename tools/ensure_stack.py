"""Install the pinned stack, only what is missing; a second run installs nothing.

Usage::

    python tools/ensure_stack.py requirements/pinned.txt [requirements/tests.txt]

Each requirement line is checked against the installed distribution's
version. torch goes first and alone, so that no other package can pull an
unpinned (multi-GB CUDA) torch. A full ``mmcv`` 2.0.x satisfies the
``mmcv-lite`` pin, so an existing OpenMMLab environment is left as it is.
Finally the plug-in itself is installed in editable mode if this checkout is
not the one installed.
"""
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
MMCV_FLAVOURS = ('mmcv-lite', 'mmcv')


def read_requirements(paths):
    """Requirement objects from pip-style files (comments skipped)."""
    found = []
    for path in paths:
        for line in Path(path).read_text().splitlines():
            line = line.split('#', 1)[0].strip()
            if line:
                found.append(Requirement(line))
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
    for name in names:
        version = installed_version(name)
        if version is not None and requirement.specifier.contains(
                version, prereleases=True):
            return True
    return False


def plugin_installed_from_here():
    """Whether ``snippet_plugin`` is installed, editable, from this checkout."""
    try:
        dist = metadata.distribution('snippet_plugin')
    except metadata.PackageNotFoundError:
        return False
    direct_url = dist.read_text('direct_url.json')
    if not direct_url:
        return False
    url = json.loads(direct_url).get('url', '')
    return url == REPO.as_uri()


def pip_install(args):
    """Run ``pip install`` with ``args`` in this interpreter."""
    command = [sys.executable, '-m', 'pip', 'install', *args]
    print('+', ' '.join(command), flush=True)
    subprocess.check_call(command)


def main(paths):
    """Install missing requirements of ``paths``, torch first, then the plug-in."""
    missing = [str(r) for r in read_requirements(paths) if not is_satisfied(r)]
    torch_first = [r for r in missing if Requirement(r).name == 'torch']
    others = [r for r in missing if r not in torch_first]
    for batch in (torch_first, others):
        if batch:
            pip_install(batch)
    if not plugin_installed_from_here():
        pip_install(['--no-deps', '--no-build-isolation', '-e', str(REPO)])
        missing.append('snippet_plugin (editable)')
    print('stack: ' + ('installed ' + ', '.join(missing)
                       if missing else 'nothing to install'))


if __name__ == '__main__':
    main(sys.argv[1:] or [REPO / 'requirements' / 'pinned.txt'])

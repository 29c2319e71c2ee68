"""Checks that the installed OpenMMLab stack is one the plug-in works with."""
from importlib import metadata

from packaging.version import Version

SUPPORTED_RANGES = {
    'mmcv': (Version('2.0.0rc4'), Version('2.1.0')),
    'mmaction2': (Version('1.1.0'), Version('1.3.0')),
    'mmengine': (Version('0.10.7'), Version('1.0.0')),
}
"""``[low, high)`` version ranges; mmaction2 1.1 rejects mmcv >= 2.1."""


def _mmcv_version():
    """Version of the installed mmcv flavour (full ``mmcv`` or ``mmcv-lite``)."""
    for name in ('mmcv', 'mmcv-lite'):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    raise ImportError('snippet_plugin needs mmcv 2.0.x: install it, or '
                      "mmcv-lite with `pip install 'snippet_plugin[lite]'`")


def check_openmmlab_stack():
    """Raise ImportError naming the package whose version is unsupported."""
    versions = {
        'mmcv': _mmcv_version(),
        'mmaction2': metadata.version('mmaction2'),
        'mmengine': metadata.version('mmengine'),
    }
    for name, found in versions.items():
        low, high = SUPPORTED_RANGES[name]
        if not low <= Version(found) < high:
            raise ImportError(
                f'snippet_plugin supports {name} >={low},<{high}; found '
                f'{found}. `make install` installs the tested stack.')

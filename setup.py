"""Install snippet_plugin, an MMAction2 plug-in for skeleton action localization.

``install_requires`` states compatible ranges so the plug-in drops into an
existing OpenMMLab environment. ``mmcv`` is not required here on purpose:
users with a full ``mmcv`` 2.0.x keep it, and ``pip install .[lite]`` brings
the compiled-op-free ``mmcv-lite`` instead. ``make demo`` / ``make test``
install the exact pinned stack from ``requirements/pinned.txt``.
"""
import os.path as osp

from setuptools import find_packages, setup


def read_version():
    """The version string from ``snippet_plugin/version.py``."""
    scope = {}
    with open(osp.join('snippet_plugin', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_long_description():
    """The README as the package's long description."""
    with open('README.md', encoding='utf-8') as f:
        return f.read()


setup(
    name='snippet_plugin',
    version=read_version(),
    description='Snippet contrastive pretraining and temporal action '
    'localization for skeleton sequences, as an MMAction2 plug-in',
    long_description=read_long_description(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.9',
    packages=find_packages(include=['snippet_plugin', 'snippet_plugin.*']),
    package_data={
        'snippet_plugin.ingest.mocapmix': [
            'data/*.txt', 'data/*.urdf', 'data/*.md', 'data/walker/*.txt'
        ],
    },
    include_package_data=True,
    install_requires=[
        'torch>=2.5',
        'numpy>=1.24',
        'mmengine>=0.10.7,<1.0',
        'mmaction2>=1.1,<1.3',
        'matplotlib>=3.7',
        'setuptools<81',
    ],
    extras_require={
        'lite': ['mmcv-lite>=2.0.0,<2.1'],
        'babel': ['smplx>=0.1.28'],
        'tests': ['pytest>=7'],
    },
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
    zip_safe=False,
)

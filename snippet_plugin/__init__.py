"""snippet_plugin: snippet contrastive pretraining and temporal action
localization for skeleton sequences, as an MMAction2 plug-in.

Importing the package registers every dataset, transform, model, metric and
hook in MMAction2's registries, and makes checkpoint loading go through the
``weights_only`` allowlist (:mod:`snippet_plugin.utils.checkpoint`). Configs
load it with::

    custom_imports = dict(imports=['snippet_plugin'], allow_failed_imports=False)
"""
from .utils.checkpoint import register_safe_checkpoint_loading
from .utils.compat import check_openmmlab_stack
from .version import __version__

check_openmmlab_stack()
register_safe_checkpoint_loading()

from . import (datasets, engine, evaluation, models,  # noqa: E402,F401
               visualization)

__all__ = ['__version__']

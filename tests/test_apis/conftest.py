"""A tiny trained localizer for the tests of snippet_plugin.apis."""
import pytest

from snippet_plugin.apis import init_localizer
from localizer_fixtures import CLASSES, FPS, localizer_config, save_checkpoint


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """``(config, checkpoint path, the saved model)``."""
    folder = tmp_path_factory.mktemp('localizer')
    cfg = localizer_config()
    path = folder / 'epoch_1.pth'
    model = save_checkpoint(cfg, path, seed=3, dataset_meta=dict(
        classes=list(CLASSES), fps=FPS))
    return cfg, str(path), model


@pytest.fixture(scope='module')
def localizer(trained):
    cfg, path, _ = trained
    return init_localizer(cfg, path)

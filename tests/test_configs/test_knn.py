"""configs/knn/knn_*.py evaluate the model of their pretraining config, with
the training split as the KNN memory."""
import pytest
from mmengine.config import Config

from helpers import CONFIGS, KNN_CONFIGS


@pytest.mark.parametrize('path', KNN_CONFIGS, ids=lambda p: p.stem)
def test_knn_config_evaluates_the_model_of_its_pretraining(path):
    cfg = Config.fromfile(str(path))
    pretraining = Config.fromfile(
        str(CONFIGS / (path.stem[len('knn_'):] + '.py')))
    assert cfg.model.to_dict() == pretraining.model.to_dict()
    assert cfg.val_dataloader.dataset.split == 'val'
    assert cfg.val_cfg.memory_dataloader.dataset.split == 'train'

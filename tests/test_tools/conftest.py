"""Fixtures of the tools tests."""
import pytest
from mmengine.config import Config

from training_probes import write_probe_dataset


@pytest.fixture(scope='module')
def dataset_file(tmp_path_factory):
    """The frame probe's generated dataset (training_probes)."""
    path = tmp_path_factory.mktemp('data') / 'toy.pkl'
    write_probe_dataset(path)
    return path


@pytest.fixture
def config():
    """A small config with the sections the train/test options touch."""
    return Config(
        dict(
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
            train_cfg=dict(max_epochs=3),
            val_cfg=dict(),
            val_dataloader=dict(batch_size=2),
            val_evaluator=dict(type='TemporalLocalizationMetric'),
            test_evaluator=dict(type='TemporalLocalizationMetric'),
            randomness=dict(seed=0)))

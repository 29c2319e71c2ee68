"""The train/test command lines map onto config keys as in MMAction2."""
from pathlib import Path

import pytest
from mmengine.config import Config


@pytest.fixture
def config():
    return Config(
        dict(
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
            train_cfg=dict(max_epochs=3),
            val_cfg=dict(),
            val_dataloader=dict(batch_size=2),
            val_evaluator=dict(type='TemporalLocalizationMetric'),
            test_evaluator=dict(type='TemporalLocalizationMetric'),
            randomness=dict(seed=0)))


def test_train_options_override_the_config(config, load_tool):
    train = load_tool('train')
    args = train.parse_args([
        'configs/x.py', '--work-dir', 'out', '--amp', '--seed', '5',
        '--cfg-options', 'train_cfg.max_epochs=7', '--launcher', 'pytorch'
    ])
    cfg = train.merge_args(config, args)
    assert cfg.work_dir == 'out'
    assert cfg.train_cfg.max_epochs == 7
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.randomness.seed == 5
    assert cfg.launcher == 'pytorch'
    assert cfg.get('resume', False) is False


def test_resume_without_path_resumes_latest_and_with_path_that_file(config, load_tool):
    train = load_tool('train')
    auto = train.merge_args(config.copy(),
                            train.parse_args(['c.py', '--resume']))
    assert auto.resume is True and auto.load_from is None
    explicit = train.merge_args(
        config.copy(), train.parse_args(['c.py', '--resume', 'e_2.pth']))
    assert explicit.resume is True and explicit.load_from == 'e_2.pth'


def test_default_work_dir_is_named_after_the_config(config, load_tool):
    train = load_tool('train')
    cfg = train.merge_args(config, train.parse_args(['configs/abc_def.py']))
    assert Path(cfg.work_dir) == Path('work_dirs/abc_def')


def test_no_validate_removes_the_validation_loop(config, load_tool):
    train = load_tool('train')
    cfg = train.merge_args(config, train.parse_args(['c.py',
                                                     '--no-validate']))
    assert cfg.val_cfg is None and cfg.val_evaluator is None


def test_test_tool_loads_the_checkpoint_and_adds_a_dump(config, load_tool):
    test = load_tool('test')
    args = test.parse_args(['c.py', 'ckpt.pth', '--dump', 'pred.pkl'])
    cfg = test.merge_args(config, args)
    assert cfg.load_from == 'ckpt.pth'
    assert [e['type'] for e in cfg.test_evaluator
            ] == ['TemporalLocalizationMetric', 'DumpResults']
    with pytest.raises(ValueError, match='must be a .pkl file'):
        test.merge_args(config, test.parse_args(['c.py', 'k.pth', '--dump',
                                                 'pred.json']))


def test_seed_and_auto_scale_reach_a_config_without_those_sections(load_tool):
    train = load_tool('train')
    bare = Config(dict(train_cfg=dict(max_epochs=1)))
    cfg = train.merge_args(
        bare,
        train.parse_args(
            ['c.py', '--seed', '3', '--deterministic', '--auto-scale-lr']))
    assert cfg.randomness == dict(seed=3, deterministic=True)
    assert cfg.auto_scale_lr.enable is True

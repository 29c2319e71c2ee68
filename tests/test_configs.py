"""Every shipped config parses and builds; quick starts train and resume.

Quick-start configs read ``data/mocapmix/mocapmix.pkl`` relative to the
working directory, so these tests build a small MocapMix in a temporary
directory and run there.
"""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from mmaction.registry import DATASETS, MODELS
from snippet_plugin.datasets.annotation import save_annotations
from snippet_plugin.datasets.mocapmix import build_mocapmix

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
ALL_CONFIGS = sorted(p for p in CONFIGS.rglob('*.py') if '_base_' not in
                     p.parts)
QUICKSTART = sorted((CONFIGS / 'quickstart').glob('*.py'))


@pytest.fixture(scope='module')
def mocapmix_dir(tmp_path_factory):
    """A folder holding ``data/mocapmix/mocapmix.pkl`` (4 train, 2 val)."""
    root = tmp_path_factory.mktemp('mocapmix_root')
    save_annotations(build_mocapmix(seed=0, num_train=4, num_val=2),
                     str(root / 'data' / 'mocapmix' / 'mocapmix.pkl'))
    return root


@pytest.mark.parametrize('path', ALL_CONFIGS, ids=lambda p: p.stem)
def test_config_parses_and_builds_its_model(path):
    cfg = Config.fromfile(str(path))
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    if path.name.startswith('snippet_'):
        assert model.with_dense
        baseline = Config.fromfile(
            str(path.with_name(path.name[len('snippet_'):])))
        assert cfg.model.dense_head.num_snippets > 0
        # the snippet config is the baseline plus dense_head and λ only
        snippet_model = cfg.model.to_dict()
        for key in ('dense_head', 'loss_dense_weight'):
            snippet_model.pop(key)
        assert snippet_model == baseline.model.to_dict()


@pytest.mark.parametrize('path', QUICKSTART, ids=lambda p: p.stem)
def test_quickstart_config_runs_a_training_step(path, mocapmix_dir,
                                                monkeypatch):
    monkeypatch.chdir(mocapmix_dir)
    cfg = Config.fromfile(str(path))
    init_default_scope(cfg.default_scope)  # RepeatDataset lives in mmengine
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    batch = pseudo_collate([dataset[i] for i in range(2)])
    assert batch['inputs'][0].shape[1:] == (1, 128, 25, 3)  # any view count
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = [p.detach().clone() for p in model.encoder_q.parameters()]
    losses = model.train_step(batch, optim)
    assert torch.isfinite(losses['loss'])
    assert ('loss_dense' in losses) == path.name.startswith('snippet_')
    changed = [not torch.equal(b, p)
               for b, p in zip(before, model.encoder_q.parameters())]
    assert any(changed)
    assert int(model.global_queue.ptr) == 2


def train_snippet_quickstart(load_tool, work_dir, max_epochs, *extra):
    """Train the snippet quick start at a test size; return its state."""
    runner = load_tool('train').main([
        str(CONFIGS / 'quickstart' / 'snippet_skeletonclr_stgcn_mocapmix.py'),
        '--work-dir', str(work_dir), '--no-validate', '--cfg-options',
        f'train_cfg.max_epochs={max_epochs}', 'train_dataloader.batch_size=4',
        'model.queue_size=24', *extra
    ])
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


def test_pretraining_resumed_from_epoch_2_equals_4_straight_epochs(
        tmp_path, mocapmix_dir, monkeypatch, load_tool):
    monkeypatch.chdir(mocapmix_dir)
    straight = train_snippet_quickstart(load_tool, tmp_path / 'straight', 4)
    train_snippet_quickstart(load_tool, tmp_path / 'resumed', 2)
    resumed = train_snippet_quickstart(load_tool, tmp_path / 'resumed', 4,
                                       '--resume')
    # 16 windows per epoch in batches of 4: 16 steps, queues of 24 wrapped
    assert int(straight['global_queue.ptr']) == (16 * 4) % 24
    assert int(straight['dense_queue.ptr']) == (16 * 4) % 24
    assert straight.keys() == resumed.keys()
    for key in ('encoder_k.steps', 'global_queue.queue', 'global_queue.ptr',
                'dense_queue.queue', 'dense_queue.ptr'):
        assert key in straight
    for key, value in straight.items():
        assert torch.equal(resumed[key], value), key

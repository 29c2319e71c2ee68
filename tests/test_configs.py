"""Every shipped config parses and builds; quick starts train and resume;
a Stage-2 config loads the encoder of a real pretraining checkpoint.

Quick-start configs read ``data/mocapmix/mocapmix.pkl`` (or
``data/bandaimix/bandaimix.pkl``) relative to the working directory, so
these tests build a small MocapMix (and BandaiMix) in a temporary directory
and run there.
"""
import re
import shutil
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper, build_optim_wrapper
from mmengine.registry import init_default_scope

from mmaction.registry import DATASETS, MODELS
from snippet_plugin.datasets.annotation import (derive_video_labels,
                                                load_annotations)
from snippet_plugin.datasets.untrimmed_pose_dataset import select_labelled

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
ALL_CONFIGS = sorted(p for p in CONFIGS.rglob('*.py') if '_base_' not in
                     p.parts)
QUICKSTART = sorted((CONFIGS / 'quickstart').glob('*.py'))
#: Stage-2 configs: ``<protocol>_<init>_<backbone>[_noneck]_<data>.py``.
STAGE2_PROTOCOL = re.compile(r'^(linear|finetune|weak|semi\d\d)_')
STAGE2 = [p for p in ALL_CONFIGS if STAGE2_PROTOCOL.match(p.name)]
PRETRAIN_QUICKSTART = [p for p in QUICKSTART if p not in STAGE2]
STAGE2_QUICKSTART = [p for p in QUICKSTART if p in STAGE2]
_BUILT = {}


def build_model_once(model_cfg):
    """Build a model config; configs with an identical model share one
    build (the BABEL configs hold a handful of distinct models)."""
    key = repr(model_cfg.to_dict())
    if key not in _BUILT:
        _BUILT[key] = MODELS.build(model_cfg)
    return _BUILT[key]


@pytest.mark.parametrize('path', ALL_CONFIGS, ids=lambda p: p.stem)
def test_config_parses_and_builds_its_model(path):
    cfg = Config.fromfile(str(path))
    model = build_model_once(cfg.model)
    num_parameters = sum(p.numel() for p in model.parameters())
    # only a floor (configs/knn/rawpose_*.py) has nothing to learn
    assert (num_parameters == 0) == (cfg.model.type == 'RawPoseEncoder')
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


@pytest.mark.parametrize('path', sorted(
    (CONFIGS / 'quickstart').glob('*_bandaimix.py')), ids=lambda p: p.stem)
def test_bandaimix_quickstart_is_its_mocapmix_twin_on_other_data(path):
    cfg = Config.fromfile(str(path)).to_dict()
    twin = Config.fromfile(
        str(path.with_name(path.name.replace('_bandaimix', '_mocapmix'))))
    twin = twin.to_dict()
    ann_file = 'data/bandaimix/bandaimix.pkl'
    train = cfg['train_dataloader']['dataset']
    assert (train['times'], train['dataset']['ann_file']) == (1, ann_file)
    for loader in (cfg['val_dataloader'], cfg['test_dataloader'],
                   cfg['val_cfg']['memory_dataloader'],
                   cfg['test_cfg']['memory_dataloader']):
        assert loader['dataset']['ann_file'] == ann_file
    assert cfg['val_cfg']['max_memory_frames'] == 200000
    # 192 default train sequences x 1 = MocapMix's 48 x 4 windows an epoch
    assert twin['train_dataloader']['dataset']['times'] * 48 == 192
    # everything else is the twin's recipe
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'val_cfg', 'test_cfg'):
        for dataset in (cfg[key], twin[key]):
            for holder in (dataset.get('dataset'), dataset.get(
                    'memory_dataloader', {}).get('dataset')):
                while holder is not None:
                    holder.pop('ann_file', None)
                    holder.pop('times', None)
                    holder = holder.get('dataset')
        cfg[key].pop('max_memory_frames', None)
    for key in set(cfg) | set(twin):
        if not key.startswith('bandaimix'):
            assert cfg.get(key) == twin.get(key), key


@pytest.mark.parametrize('path', PRETRAIN_QUICKSTART, ids=lambda p: p.stem)
def test_quickstart_config_runs_a_training_step(path, quickstart_dir,
                                                monkeypatch):
    monkeypatch.chdir(quickstart_dir)
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


def test_stage2_configs_follow_the_naming_scheme():
    """Protocol, init, backbone, optional neck, data: the name says what the
    config does (``docs/protocols.md``)."""
    assert len(STAGE2) >= 16 + 5 + 15
    for path in STAGE2:
        cfg = Config.fromfile(str(path))
        protocol = STAGE2_PROTOCOL.match(path.name).group(1)
        model = cfg.model
        assert model.type == 'SkeletonLocalizer'
        assert model.freeze_backbone == (protocol == 'linear'), path.name
        assert (model.supervision == 'weak') == (protocol == 'weak')
        assert (model.neck is None) == ('_noneck_' in path.name)
        assert (model.pretrained is None) == ('_scratch_' in path.name)
        dataset = cfg.train_dataloader.dataset
        dataset = dataset.get('dataset', dataset)  # RepeatDataset
        fraction = dataset.get('label_fraction', 1.0)
        if protocol.startswith('semi'):
            assert fraction == int(protocol[4:]) / 100
        else:
            assert fraction == 1.0
        assert dataset.label_mode == ('video' if protocol == 'weak' else
                                      'frame')
        if 'snippet_' in path.name:
            assert 'snippet_' in model.pretrained
        elif model.pretrained is not None:
            assert 'snippet_' not in model.pretrained
        docstring = path.read_text().split('"""')[1]
        assert f'configs/{path.relative_to(CONFIGS).as_posix()}' in docstring


@pytest.mark.parametrize('path', [p for p in STAGE2 if '_snippet_' in
                                  p.name], ids=lambda p: p.stem)
def test_stage2_snippet_config_differs_from_its_baseline_in_the_checkpoint(
        path):
    baseline = path.with_name(path.name.replace('_snippet_', '_', 1))
    ours, theirs = (Config.fromfile(str(p)).to_dict() for p in (path,
                                                                baseline))
    assert ours['model'].pop('pretrained') != theirs['model'].pop(
        'pretrained')
    for key in set(ours) | set(theirs):
        if key != 'filename':
            assert ours.get(key) == theirs.get(key), key


def stage2_batch(cfg, num_samples=2):
    """The training set (without mmengine's slow serialisation) and a
    batch of its first samples."""
    cfg.merge_from_dict(
        {'train_dataloader.dataset.dataset.serialize_data': False})
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    return dataset, pseudo_collate([dataset[i] for i in range(num_samples)])


def labelled_training_sequences(fraction, seed):
    """The sequences of the test MocapMix's train split that a semi config
    keeps, by the documented rule."""
    data = load_annotations('data/mocapmix/mocapmix.pkl')
    members = set(data['split']['train'])
    return select_labelled(
        {s['frame_dir']: derive_video_labels(s['segments'])
         for s in data['annotations'] if s['frame_dir'] in members},
        fraction, seed)


@pytest.mark.parametrize('path', STAGE2_QUICKSTART, ids=lambda p: p.stem)
def test_stage2_quickstart_config_runs_a_training_step(path, mocapmix_dir,
                                                       monkeypatch):
    monkeypatch.chdir(mocapmix_dir)
    cfg = Config.fromfile(str(path))
    init_default_scope(cfg.default_scope)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    dataset, batch = stage2_batch(cfg)
    assert batch['inputs'][0].shape == (1, 128, 25, 3)
    labels = torch.stack([s.gt_frame_labels for s in batch['data_samples']])
    if cfg.model.supervision == 'weak':
        assert bool((labels == -1).all())  # no frame label reaches the loss
    inner = dataset.dataset
    assert len(dataset) == cfg.train_dataloader.dataset.times * len(inner)
    kept = labelled_training_sequences(inner.label_fraction,
                                       inner.label_seed)
    assert {inner.get_data_info(i)['frame_dir']
            for i in range(len(inner))} == kept
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    assert optim.param_groups[0]['lr'] == cfg.optim_wrapper.optimizer.lr
    before = {k: v.clone() for k, v in model.state_dict().items()}
    losses = model.train_step(batch, optim)
    assert set(losses) == {'loss', f'loss_{cfg.model.supervision}'}
    assert torch.isfinite(losses['loss'])
    after = model.state_dict()
    backbone_moved = any(not torch.equal(before[k], after[k])
                         for k in before if k.startswith('backbone.'))
    assert backbone_moved != cfg.model.freeze_backbone
    assert not torch.equal(before['head.classifier.weight'],
                           after['head.classifier.weight'])


def test_stage2_config_loads_the_encoder_of_a_real_pretraining_run(
        tmp_path, mocapmix_dir, monkeypatch, load_tool):
    """A SkeletonMoCo checkpoint written by tools/train.py (mmengine's
    format: state_dict with encoder_q/encoder_k/queues, meta, optimizer,
    message hub) fills the localizer's backbone through the config's
    ``model.pretrained`` with ``encoder_q.backbone``'s weights."""
    monkeypatch.chdir(mocapmix_dir)
    runner = load_tool('train').main([
        str(CONFIGS / 'quickstart' / 'skeletonclr_stgcn_mocapmix.py'),
        '--work-dir', str(tmp_path / 'pretrain'), '--no-validate',
        '--cfg-options', 'train_cfg.max_epochs=1',
        'train_dataloader.batch_size=8', 'model.queue_size=16'
    ])
    checkpoint = tmp_path / 'pretrain' / 'epoch_1.pth'
    query = runner.model.encoder_q['backbone'].state_dict()
    key_encoder = runner.model.encoder_k.module['backbone'].state_dict()
    cfg = Config.fromfile(
        str(CONFIGS / 'quickstart' / 'linear_skeletonclr_stgcn_mocapmix.py'))
    cfg.merge_from_dict({'model.pretrained': str(checkpoint)})
    torch.manual_seed(1)
    localizer = MODELS.build(cfg.model)
    localizer.init_weights()
    loaded = localizer.backbone.state_dict()
    assert set(loaded) == set(query)
    for key, value in query.items():
        assert torch.equal(loaded[key], value), key
    # the momentum encoder differs after training; it is not what loaded
    assert any(not torch.equal(key_encoder[k], query[k])
               for k in query if k.endswith('weight'))


def test_2sagcn_pretraining_initialises_and_feeds_a_babel_localizer(
        tmp_path):
    """AAGCN's init_cfg needs MMAction2's 'ConvBranch' initializer (which
    importing snippet_plugin registers); the paper-scale localizer then
    takes the pretrained query encoder key for key."""
    init_default_scope('mmaction')
    torch.manual_seed(0)
    moco = MODELS.build(
        Config.fromfile(str(CONFIGS / 'skeletonclr_2sagcn_babel.py')).model)
    moco.init_weights()
    path = tmp_path / 'moco.pth'
    torch.save(dict(state_dict=moco.state_dict()), path)
    cfg = Config.fromfile(str(
        CONFIGS / 'localization' / 'babel' /
        'linear_snippet_rvtclr_2sagcn_babel.py'))
    cfg.merge_from_dict({'model.pretrained': str(path)})
    localizer = MODELS.build(cfg.model)
    localizer.init_weights()
    query = moco.encoder_q['backbone'].state_dict()
    assert set(localizer.backbone.state_dict()) == set(query)
    for key, value in query.items():
        assert torch.equal(localizer.backbone.state_dict()[key], value), key
    assert localizer.backbone.out_channels == [64, 128, 256]


KNN_CONFIGS = sorted((CONFIGS / 'knn').glob('knn_*.py'))


@pytest.mark.parametrize('path', KNN_CONFIGS, ids=lambda p: p.stem)
def test_knn_config_evaluates_the_model_of_its_pretraining(path):
    cfg = Config.fromfile(str(path))
    pretraining = Config.fromfile(
        str(CONFIGS / (path.stem[len('knn_'):] + '.py')))
    assert cfg.model.to_dict() == pretraining.model.to_dict()
    assert cfg.val_dataloader.dataset.split == 'val'
    assert cfg.val_cfg.memory_dataloader.dataset.split == 'train'


#: Configs that add hooks of their own, and every quick start.
HOOK_CONFIGS = sorted({p for p in ALL_CONFIGS if 'custom_hooks' in p.read_text()}
                      | set(QUICKSTART))


def test_a_hook_added_to_the_runtime_base_reaches_every_config(tmp_path):
    """Configs extend ``_base_.custom_hooks`` instead of restating the
    list, so a hook added to the base later is never dropped."""
    copy = tmp_path / 'configs'
    shutil.copytree(CONFIGS, copy)
    runtime = copy / '_base_' / 'default_runtime.py'
    runtime.write_text(runtime.read_text() + (
        "custom_hooks = custom_hooks + [dict(type='EmptyCacheHook')]\n"))
    for path in HOOK_CONFIGS:
        hooks = [h['type'] for h in Config.fromfile(
            str(copy / path.relative_to(CONFIGS))).custom_hooks]
        assert hooks[:2] == ['RNGStateHook', 'EmptyCacheHook'], path.name


@pytest.mark.parametrize('path', [p for p in QUICKSTART
                                  if p.name.startswith('snippet_')],
                         ids=lambda p: p.stem)
def test_snippet_quickstart_adds_the_warmup_to_its_baselines_hooks(path):
    ours = Config.fromfile(str(path)).custom_hooks
    baseline = Config.fromfile(
        str(path.with_name(path.name[len('snippet_'):]))).custom_hooks
    assert ours[:-1] == baseline
    assert ours[-1]['type'] == 'DenseLossWarmupHook'


def first_window(cfg):
    """``clip_len`` of the training pipeline's random window crop."""
    dataset = cfg.train_dataloader.dataset
    dataset = dataset.get('dataset', dataset)
    return next(t['clip_len'] for t in dataset.pipeline
                if t['type'] == 'RandomWindowCrop')


#: Phrases a config docstring uses for its own settings, and where the
#: config keeps each number.
STATED_NUMBERS = {
    r'(\d+) negatives': lambda cfg: cfg.model.get('queue_size', 32768),
    r'batch (\d+)': lambda cfg: cfg.train_dataloader.batch_size,
    r'(\d+)-frame windows': first_window,
    r'(\d+) snippets': lambda cfg: cfg.model.dense_head.num_snippets,
    r'λ = ([\d.]+)': lambda cfg: cfg.model.loss_dense_weight,
    r'k = (\d+)': lambda cfg: cfg.val_cfg.k,
    r'(\d+)-d embedding': lambda cfg: cfg.model.feat_dim,
    r'(?<!every )\b(\d+) epochs': lambda cfg: cfg.train_cfg.max_epochs,
    r'\blr (\d[\d.]*(?:e-\d+)?)': lambda cfg: cfg.optim_wrapper.optimizer.lr,
}


def test_config_docstrings_state_the_configs_own_numbers():
    """E.g. a quick start that says "4096 negatives" has ``queue_size=4096``."""
    checked, wrong = 0, []
    for path in ALL_CONFIGS:
        docstring = path.read_text().split('"""')[1]
        found = [(pattern, match) for pattern in STATED_NUMBERS
                 for match in re.finditer(pattern, docstring)]
        if not found:
            continue
        cfg = Config.fromfile(str(path))
        for pattern, match in found:
            value = STATED_NUMBERS[pattern](cfg)
            checked += 1
            if float(match.group(1)) != float(value):
                wrong.append(f'{path.name}: "{match.group(0)}", config {value}')
    assert wrong == []
    assert checked > 50

"""The quick-start configs (configs/quickstart/): each pretraining config
trains a step, also with its backbone swapped in one line, and resumes to
the straight run; each Stage-2 config trains a step on its protocol's
labelled sequences (with refinement: every stage's losses) and loads the
encoder of a real pretraining checkpoint;
a snippet quick start adds the λ warm-up to its baseline's hooks.

Quick-start configs read ``data/mocapmix/mocapmix.pkl`` (or
``data/bandaimix/bandaimix.pkl``) relative to the working directory, so
these tests build a small MocapMix (and BandaiMix) in a temporary directory
and run there.
"""
import re

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
from snippet_plugin.models import SkeletonMoCo
from helpers import CONFIGS, QUICKSTART, STAGE2

PRETRAIN_QUICKSTART = [p for p in QUICKSTART if p not in STAGE2]
# the BandaiMix ones are their MocapMix twins on other data (checked below),
# so the MocapMix fixture exercises every Stage-2 recipe
STAGE2_QUICKSTART = [
    p for p in QUICKSTART if p in STAGE2 and p.stem.endswith('_mocapmix')
]


MORE_DATA = re.compile(r'_plus([a-z]+)_')
"""A quick start pretrained on more unlabelled data: ``<stem>_plus<set>_``
names the quick start it extends and the set it adds."""


@pytest.mark.parametrize('path', sorted(
    p for p in (CONFIGS / 'quickstart').glob('*_bandaimix.py')
    if not MORE_DATA.search(p.name)), ids=lambda p: p.stem)
def test_bandaimix_quickstart_is_its_mocapmix_twin_on_other_data(path):
    cfg = Config.fromfile(str(path)).to_dict()
    twin = Config.fromfile(
        str(path.with_name(path.name.replace('_bandaimix', '_mocapmix'))))
    twin = twin.to_dict()
    ann_file = 'data/bandaimix/bandaimix.pkl'
    train = cfg['train_dataloader']['dataset']
    assert (train['times'], train['dataset']['ann_file']) == (1, ann_file)
    knn = 'memory_dataloader' in cfg['val_cfg']
    loaders = [cfg['val_dataloader'], cfg['test_dataloader']]
    if knn:
        loaders += [cfg['val_cfg']['memory_dataloader'],
                    cfg['test_cfg']['memory_dataloader']]
        assert cfg['val_cfg']['max_memory_frames'] == 200000
    else:  # Stage 2: BandaiMix's 16 classes, its own pretraining, and
        # the smoothing window chosen on BandaiMix's train holdout
        loaders.append(cfg['holdout_dataloader'])
        heads = cfg['model']['head'], twin['model']['head']
        assert [head.pop('num_classes') for head in heads] == [16, 14]
        pretrained = cfg['model'].pop('pretrained'), twin['model'].pop(
            'pretrained')
        assert pretrained[0] == (pretrained[1] and pretrained[1].replace(
            '_mocapmix', '_bandaimix'))
    for loader in loaders:
        assert loader['dataset']['ann_file'] == ann_file
    # 192 default train sequences x 1 = MocapMix's 48 x 4 windows an epoch
    assert twin['train_dataloader']['dataset']['times'] * 48 == 192
    # everything else is the twin's recipe
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'holdout_dataloader', 'val_cfg', 'test_cfg'):
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


@pytest.mark.parametrize('path', [
    p for p in QUICKSTART if MORE_DATA.search(p.name)], ids=lambda p: p.stem)
def test_more_data_quickstart_adds_unlabelled_sequences_only(
        path, quickstart_dir, monkeypatch):
    """Everything is the extended quick start's but the training set, which
    adds every sequence of the other set, unlabelled, and none of the
    evaluation split's."""
    monkeypatch.chdir(quickstart_dir)
    extra = MORE_DATA.search(path.name).group(1)
    cfg = Config.fromfile(str(path))
    base = Config.fromfile(str(path.with_name(
        MORE_DATA.sub('_', path.name))))
    added = cfg.train_dataloader.dataset.dataset.pop('unlabelled_extra')
    assert added == [dict(ann_file=f'data/{extra}/{extra}.pkl')]
    assert cfg.to_dict() == base.to_dict()
    init_default_scope(cfg.default_scope)
    cfg.train_dataloader.dataset.dataset.unlabelled_extra = added
    dataset = DATASETS.build(cfg.train_dataloader.dataset.dataset)
    names = [dataset.get_data_info(i)['frame_dir']
             for i in range(len(dataset))]
    own = load_annotations(base.train_dataloader.dataset.dataset.ann_file)
    other = load_annotations(added[0]['ann_file'])
    assert names == own['split']['train'] + [
        s['frame_dir'] for s in other['annotations']]
    assert not set(names) & set(own['split']['val'])


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


def stage2_loss_keys(model_cfg):
    """What a Stage-2 localizer logs: its supervision's loss, or with MS-TCN
    refinement the frame and smoothing losses of the head and every
    stage."""
    if not model_cfg.get('refinement'):
        return {'loss', f'loss_{model_cfg.supervision}'}
    stages = [''] + [f'_stage{s}' for s in
                     range(1, model_cfg.refinement.num_stages + 1)]
    return {'loss'} | {f'loss_{kind}{stage}' for kind in ('frame', 'smooth')
                       for stage in stages}


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
    assert set(losses) == stage2_loss_keys(cfg.model)
    assert torch.isfinite(losses['loss'])
    after = model.state_dict()
    backbone_moved = any(not torch.equal(before[k], after[k])
                         for k in before if k.startswith('backbone.'))
    assert backbone_moved != cfg.model.freeze_backbone
    trained = ['head.classifier.weight']
    if cfg.model.get('refinement'):
        trained.append('refinement.stages.1.conv_out.weight')
    for key in trained:
        assert not torch.equal(before[key], after[key]), key


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


@pytest.mark.parametrize('path', [p for p in QUICKSTART
                                  if p.name.startswith('snippet_')],
                         ids=lambda p: p.stem)
def test_snippet_quickstart_adds_the_warmup_to_its_baselines_hooks(path):
    ours = Config.fromfile(str(path)).custom_hooks
    baseline = Config.fromfile(
        str(path.with_name(path.name[len('snippet_'):]))).custom_hooks
    assert ours[:-1] == baseline
    assert ours[-1]['type'] == 'DenseLossWarmupHook'


def moco_pretraining_configs():
    """MocapMix quick-start configs whose model is SkeletonMoCo or a subclass
    (the BandaiMix ones have the same models, see
    test_bandaimix_quickstart_is_its_mocapmix_twin_on_other_data)."""
    found = []
    for path in sorted((CONFIGS / 'quickstart').glob('*_mocapmix.py')):
        cfg = Config.fromfile(str(path))
        if issubclass(MODELS.get(cfg.model.type), SkeletonMoCo):
            found.append(path)
    return found


def test_the_stgcn_quickstarts_are_found():
    names = {path.name for path in moco_pretraining_configs()}
    assert {'skeletonclr_stgcn_mocapmix.py',
            'snippet_skeletonclr_stgcn_mocapmix.py'} <= names


@pytest.mark.parametrize('path', moco_pretraining_configs(),
                         ids=lambda p: p.stem)
@pytest.mark.parametrize('kind', ['STGCN', 'AAGCN', 'UNIK', 'HyperGCN'])
def test_one_line_backbone_swap_trains(path, kind, mocapmix_dir,
                                       monkeypatch):
    """Only ``model.backbone.backbone.type`` changes. Each config keeps its
    sizes (base 16, 128-frame clip); a batch of 2 windows keeps all 4
    backbones x every quick start within a few seconds."""
    monkeypatch.chdir(mocapmix_dir)
    cfg = Config.fromfile(str(path))
    cfg.model.backbone.backbone.type = kind
    init_default_scope(cfg.default_scope)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    backbone = model.encoder_q['backbone'].backbone
    assert type(backbone).__name__ == kind
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    batch = pseudo_collate([dataset[i] for i in range(2)])
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = [p.detach().clone() for p in backbone.parameters()]
    losses = model.train_step(batch, optim)
    assert torch.isfinite(losses['loss'])
    after = list(backbone.parameters())
    assert all(torch.isfinite(p).all() for p in after)
    assert sum(not torch.equal(b, p) for b, p in zip(before, after)) > (
        len(before) // 2)

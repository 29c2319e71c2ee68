"""Every shipped config parses and builds its model (a snippet config is its
baseline plus dense_head and λ), extends the runtime base's hooks instead of
restating them, selects a best checkpoint only on data disjoint from its test
and training data, and its docstring states the config's own numbers."""
import math
import re
import shutil

import numpy as np
import pytest
from mmengine.config import Config

from mmaction.models.utils.gcn_utils import unit_aagcn
from mmaction.registry import DATASETS, MODELS, TRANSFORMS
from helpers import (ALL_CONFIGS, CONFIGS, QUICKSTART, labelled_sample,
                     write_annotation_file)

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
        # the snippet config is the baseline plus dense_head, λ and the
        # options of the snippet loss only (its matcher among them)
        snippet_model = cfg.model.to_dict()
        for key in ('dense_head', 'loss_dense_weight'):
            snippet_model.pop(key)
        for key in ('within_sequence_negatives', 'within_sequence_exclusion',
                    'dense_loss_reduction', 'matcher'):
            snippet_model.pop(key, None)
        assert snippet_model == baseline.model.to_dict()


AGCN_CONFIGS = [p for p in ALL_CONFIGS if '_2sagcn' in p.name]


def graph_units(model):
    """The AAGCN graph units of a built model."""
    return [m for m in model.modules() if isinstance(m, unit_aagcn)]


@pytest.mark.parametrize('path', AGCN_CONFIGS, ids=lambda p: p.stem)
def test_2sagcn_configs_build_graph_units_without_attention(path):
    """The paper's 2s-AGCN [37], not MMAction2's default MS-AAGCN."""
    units = graph_units(build_model_once(Config.fromfile(str(path)).model))
    assert len(units) >= 10
    assert not any(unit.attention or hasattr(unit, 'conv_ta')
                   for unit in units)


def test_a_2sagcn_config_takes_attention_or_another_backbone_in_one_line():
    cfg = Config.fromfile(str(CONFIGS / 'snippet_rvtclr_2sagcn_babel.py'))
    cfg.merge_from_dict({'model.backbone.backbone.type': 'AAGCN'})
    units = graph_units(MODELS.build(cfg.model.backbone))
    assert len(units) == 10
    assert all(unit.attention and hasattr(unit, 'conv_ta') for unit in units)
    cfg.merge_from_dict({'model.backbone.backbone.type': 'UNIK'})
    assert graph_units(MODELS.build(cfg.model.backbone)) == []


SNIPPET_CONFIGS = [p for p in ALL_CONFIGS if p.name.startswith('snippet_')]


def encoder_input_frames(cfg):
    """Frames per view that the training pipeline gives the encoder, from
    running it (up to packing) on a 1000-frame sequence."""
    dataset = cfg.train_dataloader.dataset
    dataset = dataset.get('dataset', dataset)
    results = dict(frame_dir='long', total_frames=1000,
                   keypoint=np.random.rand(1, 1000, 25, 3).astype(np.float32))
    for transform in dataset.pipeline:
        if transform['type'] != 'PackUntrimmedPoseInputs':
            results = TRANSFORMS.build(transform)(results)
    views, _, frames, _, _ = results['keypoint'].shape
    assert views > 1
    return frames


@pytest.mark.parametrize('path', SNIPPET_CONFIGS, ids=lambda p: p.stem)
def test_snippet_configs_cut_the_encoder_input_into_16_frame_snippets(path):
    """Tab. 8's best: 19 snippets of 16 frames of a 300-frame input, i.e.
    view frames / N = 16 (±1, 300 / 19 = 15.8), each snippet pooling at
    least one step of the last level (stride 2 per down stage)."""
    cfg = Config.fromfile(str(path))
    frames = encoder_input_frames(cfg)
    num_snippets = cfg.model.dense_head.num_snippets
    assert 15 <= frames / num_snippets <= 17, (frames, num_snippets)
    stride = 2**len(cfg.model.backbone.backbone.down_stages)
    assert num_snippets <= math.ceil(frames / stride)


MINING_CONFIGS = [p for p in ALL_CONFIGS
                  if re.match(r'(snippet_)?(aimclr|hiclr)_', p.name)]


@pytest.mark.parametrize('path', MINING_CONFIGS, ids=lambda p: p.stem)
def test_aimclr_and_hiclr_configs_mine_top1_over_the_second_half(path):
    """Their public configs mine the top-1 neighbour from epoch 150 of 300;
    shortened schedules keep the proportion."""
    cfg = Config.fromfile(str(path))
    mining = [h for h in cfg.custom_hooks
              if h['type'] == 'NeighbourMiningHook']
    assert len(mining) == 1
    assert mining[0]['start_epoch'] * 2 == cfg.train_cfg.max_epochs
    assert cfg.model.neighbour_topk == 1


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


def write_two_split_file(path):
    """20 ``train`` sequences (5 per class of 4) and 6 ``val`` ones."""
    samples = [
        labelled_sample(f'{split}{i:02d}', np.zeros((1, 8, 25, 3), np.float32),
                        [[0, 4, i % 4]], 4)
        for split, count in (('train', 20), ('val', 6)) for i in range(count)
    ]
    split = {name: [s['frame_dir'] for s in samples
                    if s['frame_dir'].startswith(name)]
             for name in ('train', 'val')}
    write_annotation_file(path, samples, ['a', 'b', 'c', 'd'], split)


def sequences_read(loader, ann_file):
    """``frame_dir`` of every sequence a dataloader config reads, with its
    (innermost) dataset pointed at ``ann_file``."""
    dataset = loader.dataset
    while 'dataset' in dataset:  # RepeatDataset and other wrappers
        dataset = dataset.dataset
    dataset = dict(dataset.to_dict(), ann_file=str(ann_file), pipeline=[])
    dataset.pop('data_root', None)
    built = DATASETS.build(dataset)
    return {built.get_data_info(i)['frame_dir'] for i in range(len(built))}


def test_a_best_checkpoint_is_selected_on_data_disjoint_from_test_and_train(
        tmp_path):
    """The test split never selects a checkpoint: a config with
    ``save_best`` validates on sequences that it neither tests nor trains
    on (a held-out part of ``train``); every other config keeps the last
    epoch."""
    ann_file = tmp_path / 'two_splits.pkl'
    write_two_split_file(ann_file)
    selecting = []
    for path in ALL_CONFIGS:
        cfg = Config.fromfile(str(path))
        if not cfg.default_hooks.checkpoint.get('save_best'):
            continue
        selecting.append(path.name)
        validated, tested, trained = (
            sequences_read(cfg[key], ann_file)
            for key in ('val_dataloader', 'test_dataloader',
                        'train_dataloader'))
        assert validated and tested, path.name
        assert validated.isdisjoint(tested), path.name
        assert validated.isdisjoint(trained), path.name
    # the paper-scale Stage-2 configs (16 BABEL, 5 PKU-MMD) select
    assert len(selecting) == 21
    assert all(name.startswith(('finetune_', 'linear_', 'weak_', 'semi'))
               for name in selecting)


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

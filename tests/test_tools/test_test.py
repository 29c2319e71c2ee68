"""``tools/test.py``: one option picks the BABEL subset of every dataloader
(``--cfg-options subset=subset2``), for the KNN configs and, through
``tools/train.py``, the Stage-2 configs."""
import copy
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.fileio import load

from helpers import labelled_sample, write_annotation_file
from mmaction.registry import MODELS

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
KNN = sorted((CONFIGS / 'knn').glob('knn_*.py'))
BABEL_STAGE2 = sorted((CONFIGS / 'localization' / 'babel').glob('*.py'))
PRETRAIN_FILE = 'data/babel/babel_pretrain.pkl'


def subset_file(subset):
    return f'data/babel/babel_{subset}.pkl'


def runner_ann_files(cfg):
    """``loader -> ann_file`` of every dataloader the runner and its loops
    read."""
    loaders = dict(train=cfg.train_dataloader, val=cfg.val_dataloader,
                   test=cfg.test_dataloader)
    for split in ('val', 'test'):
        memory = (cfg.get(f'{split}_cfg') or {}).get('memory_dataloader')
        if memory is not None:
            loaders[f'{split}_memory'] = memory
    return {name: loader.dataset.ann_file for name, loader in loaders.items()}


def expected_ann_files(path, subset):
    """Pretraining configs (KNN) read unlabelled BABEL to train, the subset
    everywhere else; Stage-2 configs read the subset everywhere."""
    files = {name: subset_file(subset)
             for name in ('train', 'val', 'test', 'val_memory', 'test_memory')}
    if path in KNN:
        files['train'] = PRETRAIN_FILE
    else:
        del files['val_memory'], files['test_memory']
    return files


@pytest.mark.parametrize('path', KNN + BABEL_STAGE2, ids=lambda p: p.stem)
def test_one_option_moves_every_dataloader_to_the_subset(path, load_tool):
    tool = load_tool('test')
    parsed = Config.fromfile(str(path))
    default = tool.merge_args(
        copy.deepcopy(parsed), tool.parse_args([str(path), 'ckpt.pth']))
    assert runner_ann_files(default) == expected_ann_files(path, 'subset1')
    assert Path(default.work_dir) == Path('work_dirs') / path.stem
    other = tool.merge_args(parsed, tool.parse_args(
        [str(path), 'ckpt.pth', '--cfg-options', 'subset=subset2']))
    assert runner_ann_files(other) == expected_ann_files(path, 'subset2')
    assert Path(other.work_dir) == Path('work_dirs') / f'{path.stem}_subset2'


def test_subset_option_for_a_config_without_subsets_is_refused(load_tool):
    tool = load_tool('test')
    path = CONFIGS / 'quickstart' / 'skeletonclr_stgcn_mocapmix.py'
    args = tool.parse_args([str(path), 'c.pth', '--cfg-options',
                            'subset=subset2'])
    with pytest.raises(SystemExit, match='no dataloader of .* reads a '
                       'dataset subset'):
        tool.merge_args(Config.fromfile(str(path)), args)


def write_subset(root, subset, action):
    """A 4-class subset file whose training frames all show ``action`` and
    whose two validation sequences are named after the subset."""
    rng = np.random.default_rng(action)
    samples, split = [], dict(train=[], val=[])
    for part, count in (('train', 2), ('val', 2)):
        for index in range(count):
            frames = 40
            segments = [[0, frames, action]] if part == 'train' else [
                [0, 20, action], [20, frames, (action + 1) % 4]]
            name = f'{subset}_{part}_{index}'
            samples.append(labelled_sample(
                name, rng.normal(size=(1, frames, 25, 3)).astype(np.float32),
                np.asarray(segments), 4))
            split[part].append(name)
    write_annotation_file(root / subset_file(subset), samples,
                          [f'{subset}_{c}' for c in 'abcd'], split)


def test_knn_test_on_subset2_reads_its_memory_and_its_sequences(
        tmp_path, monkeypatch, load_tool):
    """``tools/test.py configs/knn/knn_<method>_2sagcn_babel.py CKPT
    --cfg-options subset=subset2``: the evaluated sequences are Subset-2's
    ``val`` ones, and every frame votes for the one action of Subset-2's
    ``train`` frames (the memory)."""
    (tmp_path / 'data' / 'babel').mkdir(parents=True)
    write_subset(tmp_path, 'subset1', action=0)
    write_subset(tmp_path, 'subset2', action=2)
    monkeypatch.chdir(tmp_path)
    config = CONFIGS / 'knn' / 'knn_skeletonclr_2sagcn_babel.py'
    torch.manual_seed(0)
    checkpoint = tmp_path / 'encoder.pth'
    torch.save(dict(state_dict=MODELS.build(
        Config.fromfile(str(config)).model).state_dict()), checkpoint)
    dump = tmp_path / 'predictions.pkl'
    load_tool('test').main([
        str(config), str(checkpoint), '--dump', str(dump), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', 'subset=subset2',
        'test_dataloader.num_workers=0',
        'test_cfg.memory_dataloader.num_workers=0'
    ])
    predictions = load(str(dump))
    assert sorted(p['frame_dir'] for p in predictions) == [
        'subset2_val_0', 'subset2_val_1']
    for prediction in predictions:
        assert prediction['pred_frame_labels'].tolist() == [2] * 40

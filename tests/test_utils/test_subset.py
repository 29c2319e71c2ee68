"""``resolve_subset`` fills every ``ann_file`` template after the merge of
``--cfg-options``, wherever the template sits."""
import pytest
from mmengine.config import Config

from snippet_plugin.utils.subset import (RUNNER_DATA_KEYS, resolve_subset,
                                         subset_templates)

TEMPLATE = 'data/x/x_{subset}.pkl'


def nested_config(**top_level):
    """Templates in a dataloader, a dataset wrapper, a loop's memory
    dataloader and a list; one concrete file that must stay as it is."""
    return Config(dict(
        train_dataloader=dict(dataset=dict(
            type='RepeatDataset', dataset=dict(ann_file=TEMPLATE))),
        val_dataloader=dict(dataset=dict(ann_file=TEMPLATE)),
        val_cfg=dict(memory_dataloader=dict(dataset=dict(ann_file=TEMPLATE))),
        test_dataloader=dict(dataset=dict(type='ConcatDataset', datasets=[
            dict(ann_file=TEMPLATE), dict(ann_file='data/fixed.pkl')])),
        **top_level))


def ann_files(cfg):
    return [cfg.train_dataloader.dataset.dataset.ann_file,
            cfg.val_dataloader.dataset.ann_file,
            cfg.val_cfg.memory_dataloader.dataset.ann_file,
            *[d.ann_file for d in cfg.test_dataloader.dataset.datasets]]


def test_every_template_gets_the_merged_subset():
    cfg = nested_config(subset='subset1')
    cfg.merge_from_dict({'subset': 'subset2'})
    assert resolve_subset(cfg) is cfg
    assert ann_files(cfg) == ['data/x/x_subset2.pkl'] * 4 + ['data/fixed.pkl']
    assert subset_templates(cfg) == []


def test_resolving_twice_changes_nothing():
    cfg = resolve_subset(nested_config(subset='subset3'))
    before = ann_files(cfg)
    cfg.merge_from_dict({'subset': 'subset1'})
    assert ann_files(resolve_subset(cfg)) == before


def test_templates_are_listed_per_top_level_key():
    cfg = nested_config(subset='subset1', spare=dict(ann_file=TEMPLATE))
    assert subset_templates(cfg) == [TEMPLATE] * 5
    assert subset_templates(cfg, ['spare']) == [TEMPLATE]
    assert subset_templates(cfg, RUNNER_DATA_KEYS) == [TEMPLATE] * 4


def test_a_template_without_subset_is_refused():
    with pytest.raises(ValueError, match=r"holds \{subset\} but the config "
                       r"sets no 'subset'"):
        resolve_subset(nested_config())

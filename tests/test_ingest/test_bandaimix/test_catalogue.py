"""Labels, class merge and the style split of BandaiMix
(snippet_plugin.ingest.bandaimix.catalogue), on a generated small clone."""
import pytest
from bandai_fixtures import motion, write_clip, write_clone

from snippet_plugin.ingest.bandaimix.catalogue import (CLASSES,
                                                       CONTENT_CLASSES,
                                                       EXCLUDED_CONTENTS,
                                                       STYLES, VAL_STYLES,
                                                       CatalogueError,
                                                       check_split,
                                                       class_list,
                                                       discover_clips)


@pytest.fixture
def clone(tmp_path):
    return write_clone(tmp_path, frames=8)


def test_every_content_of_both_datasets_is_placed_once():
    # The contents of the public cfg/content_label.txt files.
    contents = {
        1: ('walk', 'run', 'dash', 'walk-back', 'walk-left', 'walk-right',
            'bow', 'bye', 'guide', 'byebye', 'respond', 'call', 'punch',
            'kick', 'slash', 'dance-long', 'dance-short'),
        2: ('walk', 'walk-turn-left', 'walk-turn-right', 'run',
            'wave-both-hands', 'wave-left-hand', 'wave-right-hand',
            'raise-up-both-hands', 'raise-up-left-hand',
            'raise-up-right-hand'),
    }
    keys = {(d, c) for d, names in contents.items() for c in names}
    assert keys == set(CONTENT_CLASSES) | EXCLUDED_CONTENTS
    assert not set(CONTENT_CLASSES) & EXCLUDED_CONTENTS
    assert set(CONTENT_CLASSES.values()) == set(CLASSES)
    assert len(CLASSES) == 16
    # merged: the same action in both datasets
    assert CONTENT_CLASSES[1, 'walk'] == CONTENT_CLASSES[2, 'walk']
    assert CONTENT_CLASSES[1, 'bye'] == 'wave-right-hand'
    assert CONTENT_CLASSES[1, 'byebye'] == 'wave-both-hands'
    assert CONTENT_CLASSES[1, 'walk-left'] != CONTENT_CLASSES[
        2, 'walk-turn-left']


def test_style_rule_leaves_both_splits_with_both_datasets():
    groups = {d: {s: ('val' if s in VAL_STYLES else 'train') for s in styles}
              for d, styles in STYLES.items()}
    assert sorted(s for s, split in groups[2].items() if split == 'val') == \
        ['elderly', 'feminine']
    assert sorted(s for s, split in groups[1].items() if split == 'val') == \
        ['feminine', 'proud', 'sad']  # and 'old', grouped as 'elderly'


def test_discover_labels_and_splits_by_style(clone):
    records, orphans = discover_clips(str(clone))
    assert len(records) == 10
    assert [o.rsplit('/', 1)[1] for o in orphans] == [
        'dataset-1_dance-long_normal_001.json']
    by_name = {r.name: r for r in records}
    walk = by_name['dataset-1_walk_sad_001']
    assert (walk.dataset, walk.content, walk.style, walk.class_name,
            walk.style_group, walk.split) == (1, 'walk', 'sad', 'walk', 'sad',
                                              'val')
    assert by_name['dataset-2_walk_normal_002'].split == 'train'
    assert by_name['dataset-2_wave-left-hand_elderly_001'].split == 'val'
    # no style in both splits
    train = {r.style_group for r in records if r.split == 'train'}
    val = {r.style_group for r in records if r.split == 'val'}
    assert train == {'normal'} and val == {'sad', 'elderly'}
    classes = class_list(records)
    assert classes == ('walk', 'bow', 'wave-left-hand')
    check_split(records, classes)


def test_a_class_missing_from_a_split_is_refused(clone):
    records, _ = discover_clips(str(clone))
    without = [r for r in records
               if not (r.class_name == 'bow' and r.split == 'val')]
    with pytest.raises(CatalogueError,
                       match=r"class 'bow' has no val clip \(its style "
                       r"groups: \['normal'\]"):
        check_split(without, class_list(without))
    one_class = [r for r in records if r.style_group != 'sad' or
                 r.class_name == 'walk']
    with pytest.raises(CatalogueError,
                       match=r"style 'sad' \(val\) has clips of one class "
                       r"only \['walk'\]"):
        check_split(one_class, class_list(one_class))


def data_dir(clone, dataset):
    return clone / f'Bandai-Namco-Research-Motiondataset-{dataset}' / 'data'


@pytest.mark.parametrize('label, message', [
    (None, r'dataset-2_walk_normal_001\.json: label file missing \(every '
     r'\.bvh needs a \.json beside it\)'),
    ('{"content": 7, "style": 0}', r'dataset-2_walk_normal_001\.json: '
     r'unknown content id 7 \(cfg/content_label\.txt lists 2\)'),
    ('{"content": "walk"}', r'dataset-2_walk_normal_001\.json: expected an '
     r'integer "content"'),
    ('{"content": 1, "style": 0}', r"dataset-2_walk_normal_001\.bvh: label "
     r"says dataset 2, content 'wave-left-hand', style 'normal'; the file "
     r'name says otherwise'),
])
def test_bad_label_is_refused(clone, label, message):
    path = data_dir(clone, 2) / 'dataset-2_walk_normal_001.json'
    if label is None:
        path.unlink()
    else:
        path.write_text(label)
    with pytest.raises(CatalogueError, match=message):
        discover_clips(str(clone))


def test_label_without_motion_of_a_class_is_refused(clone):
    (data_dir(clone, 1) / 'dataset-1_bow_sad_001.bvh').unlink()
    with pytest.raises(CatalogueError,
                       match=r'dataset-1_bow_sad_001\.json: label without its'
                       r' motion file dataset-1_bow_sad_001\.bvh'):
        discover_clips(str(clone))


def test_unknown_content_and_style_are_refused(clone):
    cfg = clone / 'Bandai-Namco-Research-Motiondataset-2' / 'cfg'
    (cfg / 'content_label.txt').write_text(
        'dataset-2_walk\ndataset-2_wave-left-hand\ndataset-2_jump')
    write_clip(clone, 2, 'walk', 'normal', 9, motion(4))
    (data_dir(clone, 2) / 'dataset-2_jump_normal_001.json').write_text(
        '{"content": 2, "style": 0}')
    (data_dir(clone, 2) / 'dataset-2_jump_normal_001.bvh').write_text('')
    with pytest.raises(CatalogueError,
                       match=r"content 'jump' of dataset 2 is neither a "
                       r'class nor excluded'):
        discover_clips(str(clone))
    (data_dir(clone, 2) / 'dataset-2_jump_normal_001.json').unlink()
    (data_dir(clone, 2) / 'dataset-2_jump_normal_001.bvh').unlink()
    (cfg / 'style_label.txt').write_text(
        'dataset-2_normal\ndataset-2_elderly\ndataset-2_sleepy')
    (data_dir(clone, 2) / 'dataset-2_walk_sleepy_001.json').write_text(
        '{"content": 0, "style": 2}')
    (data_dir(clone, 2) / 'dataset-2_walk_sleepy_001.bvh').write_text('')
    with pytest.raises(CatalogueError,
                       match=r"style 'sleepy' is not a dataset-2 style"):
        discover_clips(str(clone))


def test_missing_dataset_folder_is_refused(tmp_path):
    with pytest.raises(CatalogueError,
                       match=r'no folder Bandai-Namco-Research-Motiondataset-'
                       r"1/data \(give --src the clone's dataset/ folder\)"):
        discover_clips(str(tmp_path))

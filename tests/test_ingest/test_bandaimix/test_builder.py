"""The BandaiMix builder (snippet_plugin.ingest.bandaimix.builder) on a
generated small clone: stitching, labels, styles, determinism."""
import pickle

import numpy as np
import pytest
from bandai_fixtures import write_clone

from snippet_plugin.datasets.annotation import validate_annotations
from snippet_plugin.ingest.bandaimix.builder import (build_from_library,
                                                     load_library,
                                                     plan_split,
                                                     render_sequence)
from snippet_plugin.ingest.bandaimix.bvh import BvhError
from snippet_plugin.ingest.bandaimix.catalogue import CatalogueError
from snippet_plugin.ingest.bandaimix.skeleton import pose_to_ntu25


@pytest.fixture(scope='module')
def clone(tmp_path_factory):
    return write_clone(tmp_path_factory.mktemp('bandai'))


@pytest.fixture(scope='module')
def library(clone):
    return load_library(str(clone))[0]


@pytest.fixture(scope='module')
def plans_and_renders(library):
    rng = np.random.default_rng(np.random.SeedSequence(1).spawn(2)[0])
    plans = plan_split('train', 6, rng, library)
    return [(plan, *render_sequence(plan, library)) for plan in plans]


def test_one_style_per_sequence_from_its_split(library, plans_and_renders):
    val_rng = np.random.default_rng(0)
    for plan in plan_split('val', 6, val_rng, library):
        assert plan.style in {'sad', 'elderly'}
        for instance in plan.instances:
            record = library.records[instance.clip]
            assert record.style_group == plan.style and record.split == 'val'
            assert library.classes[instance.class_id] == record.class_name
    for plan, _, _ in plans_and_renders:
        assert plan.style == 'normal'
        ids = [i.class_id for i in plan.instances]
        assert all(a != b for a, b in zip(ids, ids[1:]))
        assert 3 <= len(ids) <= 8


def test_segments_are_the_clips_moved_rigidly(library, plans_and_renders):
    for plan, keypoint, segments in plans_and_renders:
        joints = keypoint[0].astype(np.float64)
        assert segments[0][0] == 0 and segments[-1][1] == len(joints)
        for (start, end, class_id), instance in zip(segments,
                                                     plan.instances):
            assert class_id == instance.class_id
            assert end - start == instance.num_frames
            pose = library.poses[instance.clip]
            alone = pose_to_ntu25(pose, library.skeleton)
            distances = np.linalg.norm(joints[start:end, :, None] -
                                       joints[start:end, None], axis=-1)
            expected = np.linalg.norm(alone[:, :, None] - alone[:, None],
                                      axis=-1)
            np.testing.assert_allclose(distances, expected, atol=2e-5)
        for previous, following in zip(segments, segments[1:]):
            assert following[0] - previous[1] >= 4  # blended junction


def test_junctions_continue_the_root_and_heading(plans_and_renders):
    for _, keypoint, segments in plans_and_renders:
        joints = keypoint[0].astype(np.float64)
        step = np.linalg.norm(np.diff(joints[:, 0, :2], axis=0), axis=1)
        hips = joints[:, 12] - joints[:, 16]  # left minus right hip
        heading = np.arctan2(hips[:, 1], hips[:, 0])
        turn = np.abs(np.angle(np.exp(1j * np.diff(heading))))
        for previous, following in zip(segments, segments[1:]):
            a_end, b_start = previous[1], following[0]
            neighbours = max(step[a_end - 2], step[b_start])
            assert step[a_end - 1:b_start].max() <= neighbours + 1e-4
            # the hips turn smoothly through the junction: no jump larger
            # than the clips' own
            assert turn[a_end - 1:b_start].max() <= max(
                np.deg2rad(20.0), turn[a_end - 2], turn[b_start])


def test_build_is_valid_deterministic_and_labelled(clone, library):
    data = build_from_library(library, seed=4, num_train=3, num_val=2)
    assert validate_annotations(data) == []
    meta = data['meta']
    assert meta['classes'] == ['walk', 'bow', 'wave-left-hand']
    assert (meta['fps'], meta['layout'], meta['seed']) == (30, 'nturgb+d', 4)
    assert meta['styles'] == {'train': ['normal'],
                              'val': ['elderly', 'sad']}
    assert meta['clips'] == {'train': 6, 'val': 4}
    assert 'CC BY-NC 4.0' in meta['licence']
    assert 'Kobayashi' in meta['citation']
    assert [len(v) for v in data['split'].values()] == [3, 2]
    for sample in data['annotations']:
        covered = np.zeros(sample['total_frames'], bool)
        for start, end, _ in sample['segments']:
            covered[start:end] = True
        np.testing.assert_array_equal(sample['frame_labels'][~covered], 3)
        assert (sample['frame_labels'][covered] < 3).all()
        lowest = sample['keypoint'][0, :, :, 2].min(axis=1)
        assert lowest.min() > 0.0  # the generated feet stand at 8 cm
    again = build_from_library(load_library(str(clone), workers=2)[0],
                               seed=4, num_train=3, num_val=2)
    assert pickle.dumps(again) == pickle.dumps(data)
    more = build_from_library(library, seed=4, num_train=5, num_val=2)
    np.testing.assert_array_equal(more['annotations'][-1]['keypoint'],
                                  data['annotations'][-1]['keypoint'])


def test_dataset2_subset_keeps_its_classes_only(clone):
    library, _ = load_library(str(clone), subset='dataset2')
    assert library.classes == ('walk', 'wave-left-hand')
    assert {r.dataset for r in library.records} == {2}


def test_other_frame_rate_is_refused(clone, tmp_path):
    path = (clone / 'Bandai-Namco-Research-Motiondataset-2' / 'data' /
            'dataset-2_walk_normal_002.bvh')
    text = path.read_text()
    path.write_text(text.replace('Frame Time:\t0.0333333',
                                 'Frame Time:\t0.04'))
    try:
        with pytest.raises(BvhError, match=r'dataset-2_walk_normal_002\.bvh:'
                           r' Frame Time 0\.04 s is 25\.000 fps; BandaiMix '
                           r'reads 30 fps clips only'):
            load_library(str(clone))
    finally:
        path.write_text(text)


def test_a_clone_without_clips_is_refused(tmp_path):
    clone = write_clone(tmp_path)
    for path in clone.glob('*/data/*'):
        path.unlink()
    with pytest.raises(CatalogueError, match=r"no BVH clip of a BandaiMix "
                       r"class in the 'all' subset"):
        load_library(str(clone))

"""MocapMix sequences (snippet_plugin.ingest.mocapmix.builder): plans, body
scale, mirrored instances, segments that cover each clip exactly, background
junctions without jumps, and the dataset's annotations, seeds and class
balance."""
import dataclasses
import pickle

import numpy as np
import pytest

from snippet_plugin.datasets.annotation import (NTU25_BONES, NTU25_FLIP_PAIRS,
                                                validate_annotations)
from snippet_plugin.ingest.mocapmix import CLASSES, build_mocapmix, read_clip
from snippet_plugin.ingest.mocapmix.builder import (ClipInstance,
                                                      SequencePlan,
                                                      plan_split,
                                                      render_instance,
                                                      render_sequence)
from snippet_plugin.ingest.mocapmix.clips import natural_num_frames
from snippet_plugin.ingest.mocapmix.kinematics import pose_to_ntu25

K = len(CLASSES)


def pairwise_distances(joints):
    """(T, V, V) distances between all joints of every frame."""
    return np.linalg.norm(joints[:, :, None] - joints[:, None], axis=-1)


def reflect_and_swap(joints):
    """Mirror NTU joints (T, 25, 3): negate the lateral y axis (source z)
    and swap left/right joints."""
    mirrored = joints * np.array([1.0, -1.0, 1.0])
    order = np.arange(25)
    for left, right in NTU25_FLIP_PAIRS:
        order[left], order[right] = right, left
    return mirrored[:, order]


@pytest.fixture(scope='module')
def plans_and_renders():
    """Train plans of seed 1, as build_mocapmix draws them, rendered."""
    rng = np.random.default_rng(np.random.SeedSequence(1).spawn(2)[0])
    plans = plan_split('train', 4, rng)
    return [(plan, render_sequence(plan)) for plan in plans]


@pytest.fixture(scope='module')
def small_dataset():
    return build_mocapmix(seed=1, num_train=4, num_val=2)


def test_body_scale_scales_bones_exactly(plans_and_renders):
    plan, rendered = plans_and_renders[0]
    unit = render_sequence(dataclasses.replace(plan, body_scale=1.0))
    np.testing.assert_allclose(rendered.keypoint,
                               unit.keypoint * np.float32(plan.body_scale),
                               rtol=1e-5, atol=1e-6)
    joints = unit.keypoint[0].astype(np.float64)
    for child, parent in NTU25_BONES:
        lengths = np.linalg.norm(joints[:, child] - joints[:, parent], axis=1)
        # float32 keypoints, positions of up to ~10 m: ~1e-6 relative
        assert np.ptp(lengths) < 1e-4, (child, parent)


def test_mirrored_instance_is_reflected_and_side_swapped():
    instance = ClipInstance('kick', CLASSES.index('kick'), 47, 1.0, 0.0,
                            False, 0)
    plain = pose_to_ntu25(render_instance(instance))
    mirrored = pose_to_ntu25(
        render_instance(dataclasses.replace(instance, mirror=True)))
    np.testing.assert_allclose(mirrored, reflect_and_swap(plain), atol=1e-12)
    np.testing.assert_allclose(reflect_and_swap(reflect_and_swap(plain)),
                               plain)
    # The kicking foot changes side: the right ankle (18) is highest in
    # the plain clip, the left one (14) in the mirrored clip.
    assert plain[:, 18, 2].max() > plain[:, 14, 2].max() + 0.5
    assert mirrored[:, 14, 2].max() > mirrored[:, 18, 2].max() + 0.5


def test_segments_cover_each_clip_exactly(plans_and_renders):
    for plan, rendered in plans_and_renders:
        joints = rendered.keypoint[0].astype(np.float64)
        assert len(rendered.segments) == len(plan.instances)
        assert 3 <= len(plan.instances) <= 8
        assert rendered.segments[0][0] == 0
        assert rendered.segments[-1][1] == joints.shape[0]
        for (start, end, class_id), instance in zip(rendered.segments,
                                                    plan.instances):
            assert class_id == instance.class_id
            assert end - start == instance.num_frames
            # The clip's frames are the clip itself, moved rigidly.
            alone = pose_to_ntu25(render_instance(instance)) * \
                plan.body_scale
            np.testing.assert_allclose(pairwise_distances(joints[start:end]),
                                       pairwise_distances(alone), atol=2e-5)
        for previous, following in zip(rendered.segments,
                                       rendered.segments[1:]):
            assert following[0] - previous[1] >= 4  # blended junction


def test_junctions_are_background_and_continuous(plans_and_renders):
    for plan, rendered in plans_and_renders:
        joints = rendered.keypoint[0].astype(np.float64)
        root = joints[:, 0]
        lowest = joints[..., 2].min(axis=1)
        horizontal = np.linalg.norm(np.diff(root[:, :2], axis=0), axis=1)
        vertical = np.abs(np.diff(root[:, 2]))
        for previous, following in zip(rendered.segments,
                                       rendered.segments[1:]):
            a_end, b_start = previous[1], following[0]
            # Steps from the last frame of A to the first frame of B move
            # at the mean root speed of the two clips' ends.
            junction = horizontal[a_end - 1:b_start]
            neighbours = max(horizontal[a_end - 2], horizontal[b_start])
            assert junction.max() <= neighbours + 1e-4
            # Height lerp <= 0.04 m/frame plus the ground-clearance bump.
            assert vertical[a_end - 1:b_start].max() <= \
                0.07 * plan.body_scale
            # No limb sinks below the lower of the two end poses' floors.
            assert lowest[a_end:b_start].min() >= \
                min(lowest[a_end - 1], lowest[b_start]) - 1e-5
    for sample in build_mocapmix(seed=1, num_train=2, num_val=0)[
            'annotations']:
        covered = np.zeros(sample['total_frames'], bool)
        for start, end, _ in sample['segments']:
            covered[start:end] = True
        np.testing.assert_array_equal(sample['frame_labels'][~covered], K)
        np.testing.assert_array_equal(
            sample['frame_labels'][covered] < K, True)


def test_dataset_is_valid_and_shaped(small_dataset):
    assert validate_annotations(small_dataset) == []
    meta = small_dataset['meta']
    assert meta['classes'] == list(CLASSES)
    assert (meta['fps'], meta['layout'], meta['seed']) == (30, 'nturgb+d', 1)
    assert 'zlib' in meta['licence']
    assert [len(v) for v in small_dataset['split'].values()] == [4, 2]
    for sample in small_dataset['annotations']:
        keypoint = sample['keypoint']
        assert keypoint.dtype == np.float32
        assert keypoint.shape == (1, sample['total_frames'], 25, 3)
        assert sample['frame_labels'].dtype == np.int64
        assert sample['label'] == sorted({c for _, _, c in
                                          sample['segments']})
        # Raw skeleton on the ground plane z = 0, z up.
        lowest = keypoint[0, :, :, 2].min(axis=1)
        assert 0.0 < np.median(lowest) < 0.1 and lowest.min() > -0.2
        assert keypoint[0, :, 3, 2].max() > 1.2


def test_same_seed_same_bytes_other_seed_differs():
    first = build_mocapmix(seed=7, num_train=2, num_val=1)
    second = build_mocapmix(seed=7, num_train=2, num_val=1)
    assert pickle.dumps(first) == pickle.dumps(second)
    other = build_mocapmix(seed=8, num_train=2, num_val=1)
    assert not np.array_equal(first['annotations'][0]['keypoint'][:, :50],
                              other['annotations'][0]['keypoint'][:, :50])


def test_val_split_does_not_depend_on_num_train():
    few = build_mocapmix(seed=2, num_train=1, num_val=2)
    more = build_mocapmix(seed=2, num_train=3, num_val=2)
    np.testing.assert_array_equal(few['annotations'][-1]['keypoint'],
                                  more['annotations'][-1]['keypoint'])


def test_classes_are_balanced_and_never_repeat_back_to_back():
    rng = np.random.default_rng(0)
    plans = plan_split('train', 12, rng)
    counts = np.zeros(K, int)
    for plan in plans:
        ids = [i.class_id for i in plan.instances]
        assert all(a != b for a, b in zip(ids, ids[1:]))
        np.add.at(counts, ids, 1)
    assert counts.max() - counts.min() <= 2


def test_plan_has_augmentation_ranges(plans_and_renders):
    for plan, _ in plans_and_renders:
        assert isinstance(plan, SequencePlan)
        assert 0.85 <= plan.body_scale <= 1.15
        for instance in plan.instances:
            assert 0.8 <= instance.speed <= 1.25
            clip = read_clip(instance.clip)
            if not clip.cyclic:
                assert instance.num_frames == natural_num_frames(
                    clip, instance.speed)

"""MocapMix: clip resampling, stitching, annotations, the prepare and
visualize tools."""
import dataclasses
import hashlib
import os.path as osp
import pickle
import re
import runpy

import numpy as np
import pytest
from matplotlib.figure import Figure

from snippet_plugin.datasets.annotation import (NTU25_BONES,
                                                NTU25_FLIP_PAIRS,
                                                load_annotations,
                                                save_annotations,
                                                validate_annotations)
from snippet_plugin.ingest.mocapmix import (CLASS_CLIPS, CLASSES,
                                              CLIP_NAMES, build_mocapmix,
                                              load_clip, read_clip)
from snippet_plugin.ingest.mocapmix.builder import (ClipInstance,
                                                      SequencePlan,
                                                      plan_split,
                                                      render_instance,
                                                      render_sequence)
from snippet_plugin.ingest.mocapmix.clips import (MotionClip, clip_path,
                                                    natural_num_frames,
                                                    sample_clip)
from snippet_plugin.ingest.mocapmix.kinematics import (PoseSequence,
                                                         heading_angle,
                                                         pose_to_ntu25)
from snippet_plugin.evaluation.functional import label_runs
from snippet_plugin.visualization import draw_label_timeline, project_view

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
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


def test_bundled_files_match_attribution_checksums():
    data_dir = osp.join(REPO, 'snippet_plugin', 'ingest', 'mocapmix',
                        'data')
    with open(osp.join(data_dir, 'ATTRIBUTION.md')) as f:
        listed = re.findall(r'^([0-9a-f]{64})  (\S+)$', f.read(), re.M)
    assert len(listed) == 22  # 20 clips, the URDF and the licence
    for digest, name in listed:
        with open(osp.join(data_dir, name), 'rb') as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest, name
    for clip in CLIP_NAMES:
        assert osp.isfile(clip_path(clip))


def test_class_list_covers_every_clip_once():
    assert CLASSES == ('walk', 'run', 'turn', 'jump', 'kick', 'punch',
                       'spinkick', 'backflip', 'cartwheel', 'roll', 'crawl',
                       'dance', 'getup', 'spin')
    assert sorted(CLIP_NAMES) == sorted(
        c for clips in CLASS_CLIPS.values() for c in clips)
    assert len(CLIP_NAMES) == len(set(CLIP_NAMES)) == 20


@pytest.mark.parametrize('name, speed, frames', [
    ('kick', 1.0, 47),  # 46 intervals of 1/30 s = 1.5333 s -> 0..46
    ('kick', 1.25, 37),  # 1.5333 s / (1.25 / 30 s) = 36.8 -> 0..36
    ('backflip', 1.0, 53),  # 28 x 1/16 s = 1.75 s = 52.5 frames -> 0..52
    ('walk', 1.0, 39),  # 38 x 0.033332 s (1/30 rounded) -> 0..38
    ('walker/turn_left0', 0.8, 47),  # 37/30 s / (0.8/30 s) = 46.25 -> 0..46
])
def test_resampled_frame_count(name, speed, frames):
    clip = read_clip(name)
    assert natural_num_frames(clip, speed) == frames
    assert len(sample_clip(clip, frames, speed)) == frames
    if not clip.cyclic:
        with pytest.raises(ValueError):
            sample_clip(clip, frames + 1, speed)


def test_load_clip_is_thirty_fps_ntu():
    joints = load_clip('kick')
    assert joints.shape == (47, 25, 3) and joints.dtype == np.float32


def test_resampling_lerps_root_and_slerps_rotations():
    rotations = np.zeros((2, 13, 4))
    rotations[..., 0] = 1.0
    half = np.deg2rad(90) / 2  # chest turns 90 deg about x over 1 s
    rotations[1, 1] = [np.cos(half), np.sin(half), 0.0, 0.0]
    clip = MotionClip('synthetic', 'walk', False, np.array([0.0, 1.0]),
                      PoseSequence(np.array([[0.0, 0.9, 0.0],
                                             [1.5, 0.9, 0.0]]), rotations))
    pose = sample_clip(clip, 31)
    np.testing.assert_allclose(pose.root_pos[15], [0.75, 0.9, 0.0])
    np.testing.assert_allclose(pose.root_pos[:, 0], np.arange(31) * 0.05,
                               atol=1e-12)
    quarter = np.deg2rad(45) / 2
    np.testing.assert_allclose(pose.rotations[15, 1],
                               [np.cos(quarter), np.sin(quarter), 0, 0])
    slow = sample_clip(clip, 11, speed=0.5, phase=0.5)  # 0.5 .. 0.6667 s
    np.testing.assert_allclose(slow.root_pos[10, 0], 1.5 * (0.5 + 10 / 60))


@pytest.mark.parametrize('name', ['walk', 'walker/turn_right0', 'crawl'])
def test_loops_carry_root_and_heading_without_jumps(name):
    clip = read_clip(name)
    cycle = clip.duration
    frames = int(3.4 * cycle * 30)
    joints = pose_to_ntu25(sample_clip(clip, frames))
    steps = np.linalg.norm(np.diff(joints, axis=0), axis=-1).max(axis=1)
    loop_steps = [int(np.floor(k * cycle * 30)) for k in (1, 2, 3)]
    assert steps[loop_steps].max() <= np.percentile(steps, 99) + 1e-9
    # After one cycle the root heading has turned by the clip's own
    # first-to-last heading change.
    step = heading_angle(clip.pose.rotations[-1, 0]) - heading_angle(
        clip.pose.rotations[0, 0])
    one_cycle = sample_clip(clip, 2, speed=cycle * 30)  # t = 0 and t = cycle
    turned = heading_angle(one_cycle.rotations[1, 0]) - heading_angle(
        one_cycle.rotations[0, 0])
    assert np.angle(np.exp(1j * (turned - step))) == pytest.approx(0,
                                                                   abs=1e-6)


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


def tool_main(path):
    """The ``main`` function of a script under tools/."""
    return runpy.run_path(osp.join(REPO, path), run_name='tool')['main']


def test_prepare_script_builds_keeps_and_rebuilds(tmp_path, capsys):
    out = str(tmp_path / 'mm.pkl')
    prepare = tool_main('tools/data/prepare_mocapmix.py')
    small = ['--out', out, '--num-train', '2', '--num-val', '1']
    prepare(small)
    printed = capsys.readouterr().out
    assert 'built' in printed and ' kick ' in printed
    data = load_annotations(out)
    assert [len(v) for v in data['split'].values()] == [2, 1]
    stamp = osp.getmtime(out)
    prepare(small)
    assert 'kept' in capsys.readouterr().out
    assert osp.getmtime(out) == stamp
    prepare(small + ['--seed', '5'])
    assert 'built' in capsys.readouterr().out
    assert load_annotations(out)['meta']['seed'] == 5
    prepare(small + ['--seed', '5', '--force'])
    assert 'built' in capsys.readouterr().out


def test_visualize_sequence_writes_png(tmp_path, small_dataset):
    ann = str(tmp_path / 'mm.pkl')
    save_annotations(small_dataset, ann)
    visualize = tool_main('tools/visualize_sequence.py')
    val = [a for a in small_dataset['annotations']
           if a['frame_dir'] in small_dataset['split']['val']]
    last_class = CLASSES[val[1]['segments'][-1][2]]
    png = str(tmp_path / 'vis.png')
    visualize([ann, '--split', 'val', '--with-class', last_class, '--focus',
               '--out', png])
    with open(png, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    visualize([ann, '--sample', 'mocapmix_train_001', '--range', '10:80',
               '--view', 'front', '--out', png])
    with pytest.raises(SystemExit):
        visualize([ann, '--sample', 'nope', '--out', png])


def test_label_runs_and_timeline_classes():
    labels = np.array([3, 3, 14, 14, 14, 0, -1, -1, 3])
    assert label_runs(labels).tolist() == [[0, 2, 3], [2, 5, 14], [5, 6, 0],
                                           [6, 8, -1], [8, 9, 3]]
    ax = Figure().subplots()
    assert draw_label_timeline(ax, labels, CLASSES) == [0, 3]
    assert len(ax.collections) == 5  # one bar per run


def test_side_view_faces_right_and_stands_up():
    joints = load_clip('walk')[None]
    points = project_view(joints, [0, 20], view='side')
    for frame in points[:, 0]:
        assert frame[3, 1] > frame[0, 1] > frame[14, 1]  # head, pelvis, foot
        assert frame[15, 0] > frame[14, 0]  # toes ahead of the ankle
    front = project_view(joints, [0], view='front')[0, 0]
    assert front[4, 0] > front[8, 0]  # facing us, its left is on our right


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

"""Generated Bandai-Namco-style BVH clips and a small clone of the dataset.

The skeleton has the Bandai-Namco joint names and tree with 6 channels per
joint (``Xposition Yposition Zposition Zrotation Xrotation Yrotation``),
offsets chosen here (cm, bones along local x: ``+x`` on the left and the
spine, ``-x`` on the right), and a standing pose built by hand:

- Hips ``Z = 90``: local x -> up (+Y), y -> the body's right (-X), z ->
  forward (+Z); the body faces +Z with its left on +X.
- legs: ``UpperLeg_L Z = 180`` (bone down), ``UpperLeg_R X = 180`` (its
  ``-x`` bone down), feet ``Y = -90`` (toes forward).
- arms hanging: ``Shoulder_L Z = -90`` (clavicle to the left),
  ``UpperArm_L Z = -90`` (down); ``Shoulder_R Z = -90, X = 180``
  (``-x`` to the right), ``UpperArm_R Z = -90`` (``-x`` down). The hands
  then have ``+z`` (left) / ``-z`` (right) forward: the thumb side.
"""
import json
from pathlib import Path

import numpy as np

JOINTS = (
    # name, parent, offset (cm), standing rotation (Z, X, Y) in degrees
    ('joint_Root', None, (0.0, 0.0, 0.0), (0, 0, 0)),
    ('Hips', 'joint_Root', (1.0, 94.0, -450.0), (90, 0, 0)),
    ('Spine', 'Hips', (15.0, 0.0, 0.0), (0, 0, 0)),
    ('Chest', 'Spine', (9.0, 0.0, 0.0), (0, 0, 0)),
    ('Neck', 'Chest', (16.0, 0.0, 0.0), (0, 0, 0)),
    ('Head', 'Neck', (6.0, 0.0, 0.0), (0, 0, 0)),
    ('Shoulder_L', 'Chest', (13.0, -5.0, 0.0), (-90, 0, 0)),
    ('UpperArm_L', 'Shoulder_L', (5.0, 0.0, 0.0), (-90, 0, 0)),
    ('LowerArm_L', 'UpperArm_L', (24.0, 0.0, 0.0), (0, 0, 0)),
    ('Hand_L', 'LowerArm_L', (22.0, 0.0, 0.0), (0, 0, 0)),
    ('Shoulder_R', 'Chest', (13.0, 5.0, 0.0), (-90, 180, 0)),
    ('UpperArm_R', 'Shoulder_R', (-5.0, 0.0, 0.0), (-90, 0, 0)),
    ('LowerArm_R', 'UpperArm_R', (-24.0, 0.0, 0.0), (0, 0, 0)),
    ('Hand_R', 'LowerArm_R', (-22.0, 0.0, 0.0), (0, 0, 0)),
    ('UpperLeg_L', 'Hips', (-2.0, -6.5, 0.0), (180, 0, 0)),
    ('LowerLeg_L', 'UpperLeg_L', (39.0, 0.0, 0.0), (0, 0, 0)),
    ('Foot_L', 'LowerLeg_L', (41.0, 0.0, 0.0), (0, 0, -90)),
    ('Toes_L', 'Foot_L', (12.0, 0.0, 0.0), (0, 0, 0)),
    ('UpperLeg_R', 'Hips', (-2.0, 6.5, 0.0), (0, 180, 0)),
    ('LowerLeg_R', 'UpperLeg_R', (-39.0, 0.0, 0.0), (0, 0, 0)),
    ('Foot_R', 'LowerLeg_R', (-41.0, 0.0, 0.0), (0, 0, -90)),
    ('Toes_R', 'Foot_R', (-12.0, 0.0, 0.0), (0, 0, 0)),
)
CHANNELS = 'Xposition Yposition Zposition Zrotation Xrotation Yrotation'
LEAVES = ('Head', 'Hand_L', 'Hand_R', 'Toes_L', 'Toes_R')
HIPS_HEIGHT = 90.0
"""Hips height (cm) of the generated motion."""


def hierarchy_text() -> str:
    """The HIERARCHY block of the generated skeleton."""
    lines = ['HIERARCHY']

    def block(index, depth):
        name, _, offset, _ = JOINTS[index]
        pad = '\t' * depth
        keyword = 'ROOT' if depth == 0 else 'JOINT'
        lines.extend([f'{pad}{keyword} {name}', f'{pad}{{',
                      f'{pad}\tOFFSET {offset[0]} {offset[1]} {offset[2]}',
                      f'{pad}\tCHANNELS 6 {CHANNELS}'])
        for child, (_, parent, _, _) in enumerate(JOINTS):
            if parent == name:
                block(child, depth + 1)
        if name in LEAVES:
            lines.extend([f'{pad}\tEnd Site', f'{pad}\t{{',
                          f'{pad}\t\tOFFSET 0.0 0.0 0.0', f'{pad}\t}}'])
        lines.append(f'{pad}}}')

    block(0, 0)
    return '\n'.join(lines)


def motion(num_frames: int, sway_degrees: float = 0.0, speed: float = 0.0,
           root_travel: float = 0.0, seed: int = 0) -> np.ndarray:
    """Channel values ``(T, 132)`` of the standing pose, optionally moving.

    Args:
        num_frames: ``T``.
        sway_degrees: Amplitude of a sinusoid (random frequency and phase
            per joint and axis) added to every rotation channel.
        speed: Hips travel in cm per frame along +Z.
        root_travel: ``joint_Root`` travel in cm per frame along +Z (as in
            four dataset-1 clips).
        seed: Seed of the sinusoids.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(num_frames)[:, None]
    values = np.zeros((num_frames, len(JOINTS), 6))
    for j, (name, _, offset, rotation) in enumerate(JOINTS):
        values[:, j, :3] = offset
        values[:, j, 3:] = rotation
    values[:, 1, :3] = [0.0, HIPS_HEIGHT, 0.0]
    values[:, 1, 2] += speed * t[:, 0]
    values[:, 0, 2] = root_travel * t[:, 0]
    frequency = rng.uniform(0.05, 0.3, (len(JOINTS), 3))
    phase = rng.uniform(0, 2 * np.pi, (len(JOINTS), 3))
    values[:, 1:, 3:] += sway_degrees * np.sin(
        frequency[None, 1:] * t[:, :, None] + phase[None, 1:])
    return values.reshape(num_frames, -1)


def bvh_text(values: np.ndarray, frame_time: str = '0.0333333') -> str:
    """A whole BVH file of the generated skeleton."""
    rows = '\n'.join(' '.join(f'{v:.6f}' for v in row) for row in values)
    return (f'{hierarchy_text()}\nMOTION\nFrames:\t{len(values)}\n'
            f'Frame Time:\t{frame_time}\n{rows}\n')


MINI_CONTENTS = {1: ('walk', 'bow', 'dance-long'),
                 2: ('walk', 'wave-left-hand')}
MINI_STYLES = {1: ('normal', 'sad'), 2: ('normal', 'elderly')}
MINI_CLIPS = (
    # dataset, content, style, number of clips
    (1, 'walk', 'normal', 1), (1, 'walk', 'sad', 1), (1, 'bow', 'normal', 1),
    (1, 'bow', 'sad', 1), (2, 'walk', 'normal', 2),
    (2, 'walk', 'elderly', 1), (2, 'wave-left-hand', 'normal', 2),
    (2, 'wave-left-hand', 'elderly', 1))
"""The clips of :func:`write_clone`: classes walk, bow, wave-left-hand;
train styles normal, val styles sad (dataset 1) and elderly (dataset 2)."""


def write_clone(root: Path, frames: int = 40) -> Path:
    """A small clone's ``dataset/`` folder (see :data:`MINI_CLIPS`) plus a
    dataset-1 ``dance-long`` label without its BVH (as in the real clone).

    Returns:
        The ``dataset/`` folder.
    """
    dataset_dir = root / 'dataset'
    for dataset, contents in MINI_CONTENTS.items():
        folder = dataset_dir / f'Bandai-Namco-Research-Motiondataset-{dataset}'
        (folder / 'cfg').mkdir(parents=True)
        (folder / 'data').mkdir()
        for kind, names in (('content', contents),
                            ('style', MINI_STYLES[dataset])):
            (folder / 'cfg' / f'{kind}_label.txt').write_text(
                '\n'.join(f'dataset-{dataset}_{n}' for n in names))
    seed = 0
    for dataset, content, style, count in MINI_CLIPS:
        for number in range(1, count + 1):
            seed += 1
            write_clip(dataset_dir, dataset, content, style, number,
                       motion(frames + 3 * seed, sway_degrees=15.0,
                              speed=3.0 if content == 'walk' else 0.0,
                              seed=seed))
    write_label(dataset_dir, 1, 'dance-long', 'normal', 1)
    return dataset_dir


def clip_stem(dataset: int, content: str, style: str, number: int) -> str:
    return f'dataset-{dataset}_{content}_{style}_{number:03d}'


def write_label(dataset_dir: Path, dataset: int, content: str, style: str,
                number: int) -> Path:
    """The ``.json`` label of a clip; returns its path."""
    folder = dataset_dir / f'Bandai-Namco-Research-Motiondataset-{dataset}'
    path = folder / 'data' / (clip_stem(dataset, content, style, number) +
                              '.json')
    path.write_text(json.dumps({
        'content': MINI_CONTENTS[dataset].index(content),
        'style': MINI_STYLES[dataset].index(style)}))
    return path


def write_clip(dataset_dir: Path, dataset: int, content: str, style: str,
               number: int, values: np.ndarray) -> Path:
    """A ``.bvh`` clip and its label; returns the ``.bvh`` path."""
    label = write_label(dataset_dir, dataset, content, style, number)
    path = label.with_suffix('.bvh')
    path.write_text(bvh_text(values))
    return path

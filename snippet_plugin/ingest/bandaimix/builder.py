"""Build BandaiMix: untrimmed sequences stitched from Bandai-Namco clips.

1. **Catalogue** (:mod:`.catalogue`): every clip labelled, classes merged,
   each clip in ``train`` or ``val`` by its style.
2. **Load** (:func:`load_poses`): every BVH file parsed and checked
   (:mod:`.bvh`; 30 fps only, nothing is resampled) and turned into a pose
   of one reference body (:mod:`.skeleton`), in parallel with
   ``workers > 1``.
3. **Plan** (:func:`plan_sequence`), per split: a sequence is one person
   in one manner of moving, so it draws one style group of its split and
   then its clips from that style only. The first class comes from the
   split's shuffled :class:`~snippet_plugin.ingest.stitching.ClassDeck`
   (contents, not clips, are drawn evenly: dataset 2 has 17x more clips
   than dataset 1); the style is uniform among the split's style groups
   that have clips of it; later classes come from the same deck, limited
   to the classes that style has and never the previous one. Each class
   picks one of its clips in that style uniformly. A clip plays once, whole,
   at its own speed: no time warp, no scaling, no mirroring (left-hand and
   right-hand classes stay true). Length, clip count (3-8) and junctions
   follow :mod:`snippet_plugin.ingest.stitching`, as MocapMix does.
4. **Render** (:func:`render_sequence`): the shared stitching (continuous
   root position and heading from a random initial heading, slerp-blended
   junctions labelled background), then the NTU-25 joints in metres, z up.

Everything random comes from ``numpy.random.default_rng`` streams spawned
from the seed (one per split), so a seed gives byte-identical output with
any number of workers, and the val split does not depend on ``num_train``.
"""
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ..motion import PoseSequence
from ..stitching import (TARGET_FRAMES, BodyModel, ClassDeck,
                         draw_min_blend, fill_sequence, make_sample,
                         stitch_poses)
from .bvh import BvhError, read_bvh
from .catalogue import (EXCLUDED_CONTENTS, SUBSETS, VAL_STYLES,
                        CatalogueError, ClipRecord, check_split, class_list,
                        discover_clips)
from .skeleton import (BandaiSkeleton, clip_pose, pose_to_ntu25,
                       reference_skeleton)

BUILDER_VERSION = 1
"""Bumped whenever the same source and seed would give different data."""

FPS = 30
"""Frame rate of every clip and of the dataset."""

FRAME_TIME_TOLERANCE = 1e-6
"""Seconds a clip's ``Frame Time`` may differ from ``1 / FPS`` (the files
store 0.0333333)."""

SPLITS = ('train', 'val')

SOURCE_NOTE = (
    'Bandai-Namco-Research-Motiondataset 1 and 2 (github.com/'
    'BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset, commit '
    '74ead3b): BVH clips stitched by snippet_plugin.ingest.bandaimix')
LICENCE_NOTE = ('CC BY-NC 4.0 (derived data of the Bandai-Namco-Research-'
                'Motiondataset; non-commercial use, attribution required)')
CITATION = ('Kobayashi, Liao, Inoue, Yojima, Takahashi. Motion Capture '
            'Dataset for Practical Use of AI-based Motion Editing and '
            'Stylization. arXiv:2306.08861, 2023')


@dataclass(frozen=True)
class ClipInstance:
    """One action in a sequence plan.

    Attributes:
        clip: Index into the build's clip records.
        class_id: Index into the build's classes.
        num_frames: Frames of the clip.
        min_blend: Least junction frames before it (0 for the first).
    """
    clip: int
    class_id: int
    num_frames: int
    min_blend: int


@dataclass(frozen=True)
class SequencePlan:
    """Every random choice of one sequence.

    Attributes:
        name: ``frame_dir`` of the sequence.
        style: Its style group.
        instances: The clips in order.
        heading: Initial heading in radians about the up axis.
    """
    name: str
    style: str
    instances: Tuple[ClipInstance, ...]
    heading: float


@dataclass(frozen=True)
class ClipLibrary:
    """The loaded clips of a build.

    Attributes:
        records: The clips (class contents only).
        classes: Class names; ids index this tuple.
        poses: Pose of each record, float32 (cast to float64 to render).
        skeleton: The reference body.
    """
    records: Tuple[ClipRecord, ...]
    classes: Tuple[str, ...]
    poses: Tuple[PoseSequence, ...]
    skeleton: BandaiSkeleton

    @property
    def body(self) -> BodyModel:
        """The reference body as the stitching sees it."""
        return BodyModel(right_axis=self.skeleton.right_axis,
                         to_ntu25=partial(pose_to_ntu25,
                                          skeleton=self.skeleton))

    def clips_by_style(self, split: str) -> Dict[str, Dict[int, List[int]]]:
        """``{style group: {class id: [clip indices]}}`` of a split."""
        table: Dict[str, Dict[int, List[int]]] = {}
        for index, record in enumerate(self.records):
            if record.split == split:
                table.setdefault(record.style_group, {}).setdefault(
                    self.classes.index(record.class_name), []).append(index)
        return dict(sorted(table.items()))


def load_pose(path: str, skeleton: BandaiSkeleton) -> PoseSequence:
    """Read one clip at 30 fps as a float32 pose of ``skeleton``.

    Raises:
        BvhError: for a malformed file, another frame rate, or another body.
    """
    clip = read_bvh(path)
    if abs(clip.frame_time - 1.0 / FPS) > FRAME_TIME_TOLERANCE:
        raise BvhError(f'{path}: Frame Time {clip.frame_time} s is '
                       f'{1.0 / clip.frame_time:.3f} fps; BandaiMix reads '
                       f'{FPS} fps clips only (nothing is resampled)')
    pose = clip_pose(clip, skeleton)
    return PoseSequence(pose.root_pos.astype(np.float32),
                        pose.rotations.astype(np.float32))


def load_poses(paths: Sequence[str], skeleton: BandaiSkeleton,
               workers: int = 1) -> Tuple[PoseSequence, ...]:
    """:func:`load_pose` of every path, in order, on ``workers``
    processes."""
    load = partial(load_pose, skeleton=skeleton)
    if workers <= 1:
        return tuple(map(load, paths))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return tuple(pool.map(load, paths, chunksize=16))


def plan_sequence(name: str, rng: np.random.Generator, deck: ClassDeck,
                  by_style: Dict[str, Dict[int, List[int]]],
                  library: ClipLibrary) -> SequencePlan:
    """Draw the style, clips and junctions of one sequence (module doc)."""
    target = int(rng.integers(TARGET_FRAMES[0], TARGET_FRAMES[1] + 1))
    heading = float(rng.uniform(-np.pi, np.pi))
    first_class = deck.draw()
    styles = [style for style, table in by_style.items()
              if first_class in table]
    style = styles[int(rng.integers(len(styles)))]
    offered = frozenset(by_style[style])

    def next_instance(instances: List[ClipInstance]) -> ClipInstance:
        class_id = deck.draw(exclude=instances[-1].class_id,
                             allowed=offered) if instances else first_class
        clips = by_style[style][class_id]
        clip = clips[int(rng.integers(len(clips)))]
        min_blend = draw_min_blend(rng)
        return ClipInstance(clip, class_id, len(library.poses[clip]),
                            min_blend if instances else 0)

    instances = fill_sequence(target, next_instance)
    return SequencePlan(name, style, tuple(instances), heading)


def plan_split(split: str, count: int, rng: np.random.Generator,
               library: ClipLibrary) -> List[SequencePlan]:
    """Plans of the ``count`` sequences ``bandaimix_{split}_{i:03d}``."""
    deck = ClassDeck(rng, len(library.classes))
    by_style = library.clips_by_style(split)
    return [
        plan_sequence(f'bandaimix_{split}_{i:03d}', rng, deck, by_style,
                      library) for i in range(count)
    ]


def render_sequence(plan: SequencePlan,
                    library: ClipLibrary) -> Tuple[np.ndarray, List[list]]:
    """Stitch a plan's clips.

    Returns:
        ``(keypoint, segments)``: float32 ``(1, T, 25, 3)`` NTU-25 joints
        in metres, z up, and ``[start, end, class_id]`` per clip.
    """
    poses = [
        PoseSequence(library.poses[i.clip].root_pos.astype(np.float64),
                     library.poses[i.clip].rotations.astype(np.float64))
        for i in plan.instances
    ]
    pose, bounds = stitch_poses(poses, [i.min_blend for i in plan.instances],
                                plan.heading, library.body)
    joints = pose_to_ntu25(pose, library.skeleton)
    segments = [[start, end, instance.class_id]
                for (start, end), instance in zip(bounds, plan.instances)]
    return joints[None].astype(np.float32), segments


def load_library(src: str, subset: str = 'all',
                 workers: int = 1) -> Tuple[ClipLibrary, List[str]]:
    """Discover, check and load the clips of ``subset``.

    Returns:
        ``(library, orphans)`` (see :func:`.catalogue.discover_clips`).

    Raises:
        CatalogueError: if the clips cannot be labelled or split.
        BvhError: for a bad BVH file.
    """
    if subset not in SUBSETS:
        raise ValueError(f'unknown subset {subset!r}; choose from '
                         f'{sorted(SUBSETS)}')
    records, orphans = discover_clips(src, SUBSETS[subset])
    records = [r for r in records if r.class_name is not None]
    if not records:
        raise CatalogueError(f'{src}: no BVH clip of a BandaiMix class in '
                             f'the {subset!r} subset')
    classes = class_list(records)
    check_split(records, classes)
    skeleton = reference_skeleton(read_bvh(records[0].path))
    poses = load_poses([r.path for r in records], skeleton, workers)
    return ClipLibrary(tuple(records), classes, poses, skeleton), orphans


def build_from_library(library: ClipLibrary, seed: int = 0,
                       num_train: int = 192, num_val: int = 48,
                       subset: str = 'all') -> Dict:
    """Build the annotation dict (the format of ``annotation.py``).

    Args:
        library: The loaded clips.
        seed: Random seed; equal seeds give byte-identical data.
        num_train: Sequences in the ``train`` split.
        num_val: Sequences in the ``val`` split.
        subset: Recorded in ``meta``.

    Returns:
        ``{'meta', 'split', 'annotations'}``; ``meta`` holds the classes,
        ``fps=30``, ``layout='nturgb+d'``, the seed, sizes, subset, the
        style split, clip counts, units/axes, source, licence and
        citation.
    """
    split_rngs = [np.random.default_rng(s)
                  for s in np.random.SeedSequence(seed).spawn(len(SPLITS))]
    annotations, split = [], {}
    for (name, count), rng in zip(zip(SPLITS, (num_train, num_val)),
                                  split_rngs):
        plans = plan_split(name, count, rng, library)
        for plan in plans:
            keypoint, segments = render_sequence(plan, library)
            annotations.append(make_sample(plan.name, keypoint, segments,
                                           len(library.classes)))
        split[name] = [plan.name for plan in plans]
    styles = {name: sorted({r.style_group for r in library.records
                            if r.split == name}) for name in SPLITS}
    meta = {
        'classes': list(library.classes),
        'fps': FPS,
        'layout': 'nturgb+d',
        'dataset': 'BandaiMix',
        'subset': subset,
        'version': BUILDER_VERSION,
        'seed': seed,
        'num_train': num_train,
        'num_val': num_val,
        'units': 'metres',
        'up_axis': 'z',
        'styles': styles,
        'val_style_rule': sorted(VAL_STYLES),
        'clips': {name: sum(r.split == name for r in library.records)
                  for name in SPLITS},
        'excluded_contents': sorted(f'dataset-{d}_{c}'
                                    for d, c in EXCLUDED_CONTENTS
                                    if d in SUBSETS[subset]),
        'reference_clip': library.records[0].name,
        'source': SOURCE_NOTE,
        'licence': LICENCE_NOTE,
        'citation': CITATION,
    }
    return {'meta': meta, 'split': split, 'annotations': annotations}


def clip_table(library: ClipLibrary) -> str:
    """Printable clips and frames per class and split."""
    lines = [f"{'class':<20}{'train clips':>12}{'val clips':>10}"
             f"{'frames':>9}"]
    for name in library.classes:
        members = [(r, p) for r, p in zip(library.records, library.poses)
                   if r.class_name == name]
        counts = [sum(r.split == s for r, _ in members) for s in SPLITS]
        lines.append(f'{name:<20}{counts[0]:>12}{counts[1]:>10}'
                     f'{sum(len(p) for _, p in members):>9}')
    return '\n'.join(lines)


__all__ = [
    'BUILDER_VERSION', 'FPS', 'ClipInstance', 'SequencePlan', 'ClipLibrary',
    'load_pose', 'load_poses', 'plan_sequence', 'plan_split',
    'render_sequence', 'load_library', 'build_from_library', 'clip_table'
]

"""MocapMix: a small bundled dataset of untrimmed real-motion skeletons.

Built from the 20 DeepMimic motion-capture clips shipped with pybullet
(``data/``, zlib licence, provenance in ``data/ATTRIBUTION.md``): forward
kinematics of the DeepMimic humanoid (:mod:`.kinematics`), mapped to the
NTU-25 joint order, resampled to 30 fps (:mod:`.clips`), and stitched into
untrimmed, annotated sequences (:mod:`.builder`). ``tools/data/
prepare_mocapmix.py`` writes the annotation file.

Classes (ids in order): walk, run, turn, jump, kick, punch, spinkick,
backflip, cartwheel, roll, crawl, dance, getup, spin; background is 14.
"""
from .builder import build_mocapmix, render_sequence
from .clips import CLASS_CLIPS, CLASSES, CLIP_NAMES, load_clip, read_clip
from .kinematics import forward_kinematics, pose_to_ntu25

__all__ = [
    'build_mocapmix', 'render_sequence', 'CLASSES',
    'CLASS_CLIPS', 'CLIP_NAMES', 'load_clip', 'read_clip',
    'forward_kinematics', 'pose_to_ntu25'
]

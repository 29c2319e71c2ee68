"""BandaiMix: untrimmed real-motion sequences from the Bandai-Namco clips.

Built from the user's clone of the Bandai-Namco-Research-Motiondataset
(3,076 BVH clips of three professional actors, 30 fps, CC BY-NC 4.0; never
bundled): a strict BVH reader and forward kinematics (:mod:`.bvh`), the
skeleton's map to NTU-25 joints (:mod:`.skeleton`), labels, classes and
the style split (:mod:`.catalogue`), and the sequence builder
(:mod:`.builder`) on the stitching shared with MocapMix.
``tools/data/prepare_bandai.py`` writes the annotation file.
"""
from .builder import build_from_library, load_library
from .bvh import BvhError, read_bvh
from .catalogue import CLASSES, VAL_STYLES, CatalogueError

__all__ = [
    'build_from_library', 'load_library', 'BvhError', 'read_bvh', 'CLASSES',
    'VAL_STYLES', 'CatalogueError'
]

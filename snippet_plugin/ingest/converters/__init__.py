"""Converters from raw public skeleton datasets to the annotation format.

Each converter returns ``(data, report)``: an annotation dict to write with
:func:`~snippet_plugin.datasets.annotation.save_annotations` and a
:class:`ConversionReport` of what was left out. The command lines are
``tools/data/prepare_babel.py``, ``tools/data/prepare_pkummd.py`` and
``tools/data/prepare_ntu.py``; ``docs/datasets.md`` gives the download steps.
"""
from .babel import (BABEL_SUBSETS, SMPLH73_TO_NTU25, JointsFileJoints,
                    SMPLHJoints, prepare_babel)
from .common import ConversionReport, RawDataError, map_with_progress
from .ntu import (XSUB_TRAIN_SUBJECTS, BodyTrack, NTUSampleName,
                  convert_ntu_pickle, convert_ntu_skeletons,
                  read_ntu_skeleton, select_bodies)
from .pkummd import (PKUMMD_CLASSES, convert_pkummd, parse_split_file,
                     read_id_list, read_pkummd_labels, read_pkummd_skeleton)

__all__ = [
    'BABEL_SUBSETS', 'SMPLH73_TO_NTU25', 'JointsFileJoints', 'SMPLHJoints',
    'prepare_babel', 'ConversionReport', 'RawDataError', 'map_with_progress',
    'XSUB_TRAIN_SUBJECTS', 'BodyTrack', 'NTUSampleName', 'convert_ntu_pickle',
    'convert_ntu_skeletons', 'read_ntu_skeleton', 'select_bodies',
    'PKUMMD_CLASSES', 'convert_pkummd', 'parse_split_file', 'read_id_list',
    'read_pkummd_labels', 'read_pkummd_skeleton'
]

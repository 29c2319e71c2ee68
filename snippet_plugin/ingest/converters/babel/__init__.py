"""BABEL action labels on AMASS motion -> untrimmed annotation files
(format in :mod:`snippet_plugin.datasets.annotation`).

Inputs:

* BABEL JSON (``train.json``, ``val.json``; optionally ``extra_train.json``)
  ``{sid: {babel_sid, url, feat_p, dur, seq_ann, frame_ann}}``. ``frame_ann``
  is ``null`` for a sequence with a sequence-level label only, else
  ``{babel_lid, anntr_id, labels: [{raw_label, proc_label, seg_id,
  act_cat: [...], start_t, end_t}]}`` with times in seconds. The extra files
  hold ``seq_anns`` / ``frame_anns`` lists (several annotators); only their
  motion is used (pretraining), never their labels.
* AMASS (SMPL-H "G" release) ``.npz`` per sequence: ``poses (T, 156)``
  (axis-angle: root ``[:3]``, body ``[3:66]``, left hand ``[66:111]``,
  right hand ``[111:156]``), ``trans (T, 3)``, ``betas (16,)``, ``gender``
  (str/bytes) and ``mocap_framerate`` (``mocap_frame_rate`` also read).
  ``feat_p`` (e.g. ``CMU/CMU/02/02_01_poses.npz``) is looked up under the
  AMASS root by :func:`amass_candidates`.

Joints come from one of two :class:`JointSource` kinds:

* :class:`SMPLHJoints`: SMPL-H forward kinematics with the ``smplx`` package
  (optional dependency) and a user-provided body model, 73 joints mapped to
  NTU-25 by :data:`SMPLH73_TO_NTU25`. Defaults follow the public code: the
  male model, no shape (betas) and no translation.
* :class:`JointsFileJoints`: pre-extracted joints, a ``.npz`` or ``.pkl``
  mapping ``feat_p`` -> float ``(T, 25, 3)`` NTU-order joints, one row per
  frame of the AMASS file (``T`` = its ``poses`` rows, at its
  ``mocap_framerate``). The AMASS files are still read for that frame rate.

Stored joints are NOT normalised: metres, z up (the AMASS world frame; the
root orientation is applied), resampled to 30 fps. ``NormalizeSkeleton3D``
centres and rotates them online in the pipeline, as PAPER_NOTES' BABEL
preprocessing does offline.

Time (:func:`resample_plan`): source frame ``i`` is at ``i / f`` seconds
(``f`` = ``mocap_framerate``), output frame ``k`` at ``k / 30`` s for
``k = 0 .. T_out - 1`` with ``T_out = floor((T - 1) * 30 / f) + 1``: every
output time lies within the recording (no extrapolation, no frame beyond
the last sample), and joints are linearly interpolated between the two
neighbouring source frames.

Labels that do not fit the motion (reversed, negative start, starting
after the motion, ending more than half a frame after it) and a ``dur``
that disagrees with the AMASS file are reported one by one and clipped,
dropped or refused by policy first (:func:`check_labels`). Segments
(:func:`segments_from_babel_labels`): a frame label ``[start_t, end_t]``
becomes ``[round(start_t * 30), round(end_t * 30))`` (half-open, halves
round up), within ``[0, T_out]``; a segment empty after rounding is dropped and
counted. A label whose ``act_cat`` holds several subset classes gives
one segment per class, identical ``[start, end, class]`` rows are kept once.
Overlaps stay in ``segments``; ``frame_labels`` resolve them by
:func:`~snippet_plugin.datasets.annotation.derive_frame_labels` (the shorter
segment wins, then the lower class id). Every frame of the motion is kept,
annotated or not: a gap between labels is background and never shifts a
later label (the public code's truncation to annotated frames does).

Outputs of :func:`prepare_babel` (see its docstring): ``babel_pretrain.pkl``
and ``babel_subset{1,2,3}.pkl``, written all or none (never an empty one),
plus the lists of skipped sequences and of label issues. Joints are cached
per sequence, keyed on the content of its inputs (:class:`JointCache`).

Modules, in the order the data flows: :mod:`.babel_json` (BABEL JSON),
:mod:`.amass` (AMASS files), :mod:`.timing` (time), :mod:`.joint_sources`,
:mod:`.joint_cache`, :mod:`.annotation_files` and :mod:`.prepare`
(orchestration).
"""
from .amass import (AMASS_FOLDER_ALIASES, AmassMotion, amass_candidates,
                    find_amass_file, folder_aliases, read_amass_motion)
from .annotation_files import (BABEL_SUBSETS, SUBSET_SEQUENCE_CHOICES,
                               FileSummary, build_pretrain, build_subset,
                               format_summary, multi_label_frames,
                               subset_sample)
from .babel_json import (BabelLabel, BabelSequence, read_babel_json,
                         read_babel_splits)
from .joint_cache import (CONVERTER_VERSION, ExtractionTask, JointCache,
                          MotionInput, extract_to_cache, inspect_motion)
from .joint_sources import (GENDER_CHOICES, SMPLH73_TO_NTU25, JointSource,
                            JointsFileJoints, SMPLHJoints,
                            read_smplh_arrays, resolve_smplh_models,
                            smplh_model_candidates)
from .prepare import (DEFAULT_MAX_MISSING, MISSING_POLICIES, PrepareResult,
                      apply_label_policy, check_missing, locate_motion,
                      prepare_babel)
from .timing import (LABEL_POLICIES, TARGET_FPS, LabelIssue, ResamplePlan,
                     check_labels, resample_plan, resampled_length,
                     seconds_to_frame, segments_from_babel_labels)

__all__ = [
    'TARGET_FPS', 'SMPLH73_TO_NTU25', 'BABEL_SUBSETS', 'AMASS_FOLDER_ALIASES',
    'CONVERTER_VERSION', 'GENDER_CHOICES', 'MISSING_POLICIES',
    'DEFAULT_MAX_MISSING', 'LABEL_POLICIES', 'SUBSET_SEQUENCE_CHOICES',
    'LabelIssue', 'check_labels', 'MotionInput', 'inspect_motion',
    'check_missing', 'apply_label_policy', 'BabelLabel', 'BabelSequence',
    'read_babel_json', 'folder_aliases', 'amass_candidates',
    'find_amass_file', 'AmassMotion', 'read_amass_motion',
    'resampled_length', 'ResamplePlan', 'resample_plan', 'seconds_to_frame',
    'segments_from_babel_labels', 'JointsFileJoints', 'SMPLHJoints',
    'smplh_model_candidates', 'resolve_smplh_models', 'read_smplh_arrays',
    'JointCache', 'ExtractionTask', 'extract_to_cache', 'FileSummary',
    'multi_label_frames', 'subset_sample', 'build_subset', 'build_pretrain',
    'JointSource', 'PrepareResult', 'read_babel_splits', 'locate_motion',
    'prepare_babel', 'format_summary'
]

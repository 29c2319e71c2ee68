"""Orchestration: BABEL + AMASS -> the annotation files
(:func:`prepare_babel`)."""
import math
import os.path as osp
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from ....datasets.annotation import save_annotations
from ....utils.atomic_io import atomic_write
from ..common import ConversionReport, RawDataError, map_with_progress
from .amass import amass_candidates, find_amass_file
from .annotation_files import (BABEL_SUBSETS, SUBSET_SEQUENCE_CHOICES,
                               FileSummary, build_pretrain, build_subset)
from .babel_json import BabelSequence, read_babel_splits
from .joint_cache import (CONVERTER_VERSION, ExtractionTask, JointCache,
                          MotionInput, extract_to_cache, inspect_motion)
from .joint_sources import JointSource
from .timing import LABEL_POLICIES, TARGET_FPS, LabelIssue, check_labels

MISSING_POLICIES = ('skip', 'error')
DEFAULT_MAX_MISSING = 0.05
"""Share of the sequences that may lack their motion before a run is
refused (``--max-missing``)."""
SHOWN_PROBLEMS = 20
SHOWN_EXAMPLES = 3

@dataclass
class PrepareResult:
    """What :func:`prepare_babel` wrote and left out.

    Attributes:
        files: Written annotation file paths by name.
        summaries: Their statistics.
        report: Skipped sequences (``sid``, reason) and notes.
        extracted: AMASS files whose joints were computed in this run.
        cached: AMASS files whose joints came from the cache.
        missing_list: Path of the skipped-sequences text file.
        label_issues: Labels and durations that did not fit the motion.
        label_issue_list: Path of their text file.
    """
    files: Dict[str, str]
    summaries: List[FileSummary]
    report: ConversionReport
    extracted: int
    cached: int
    missing_list: str
    label_issues: List[LabelIssue]
    label_issue_list: str


def locate_motion(sequences: Sequence[BabelSequence], amass_root: str,
                  source: JointSource
                  ) -> Tuple[Dict[str, str], Dict[str, str]]:
    """``({feat_p: AMASS file}, {feat_p: why it is missing})``."""
    found, missing = {}, {}
    for feat_p in dict.fromkeys(s.feat_p for s in sequences):
        path = find_amass_file(amass_root, feat_p)
        if path is None:
            tried = amass_candidates(amass_root, feat_p)
            missing[feat_p] = f'no AMASS file (tried {", ".join(tried)})'
        elif source.missing_reason(feat_p) is not None:
            missing[feat_p] = source.missing_reason(feat_p)
        else:
            found[feat_p] = path
    return found, missing


def _listed(lines: Sequence[str], limit: int = SHOWN_PROBLEMS) -> str:
    """The first ``limit`` lines, indented, and a count of the rest."""
    shown = [f'  {line}' for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(f'  ... and {len(lines) - limit} more')
    return '\n'.join(shown)


def check_missing(needed: Sequence[BabelSequence], missing: Dict[str, str],
                  amass_root: str, on_missing: str,
                  max_missing: float) -> Dict[str, str]:
    """``{sid: why}`` of the sequences without motion, if the run may go on.

    Raises:
        RawDataError: with ``on_missing='error'`` and any sequence missing;
            when no sequence has its motion; or when more than
            ``max_missing`` of them lack it (counted per top folder of
            ``feat_p``, which points at a misspelt ``--amass-root`` or an
            AMASS sub-dataset not downloaded).
    """
    excluded = {s.sid: missing[s.feat_p] for s in needed
                if s.feat_p in missing}
    if not excluded:
        return excluded
    lines = [f'{sid}: {why}' for sid, why in excluded.items()]
    if on_missing == 'error':
        raise RawDataError(
            f'{len(missing)} AMASS file(s) missing under {amass_root} '
            f'({len(excluded)} sequence(s)); nothing was extracted. Use '
            f'--on-missing skip to leave them out.\n{_listed(lines)}')
    examples = _listed(lines, SHOWN_EXAMPLES)
    if len(excluded) == len(needed):
        raise RawDataError(
            f'none of the {len(needed)} BABEL sequence(s) has its motion '
            f'under {amass_root}; nothing was written. Check --amass-root.'
            f'\n{examples}')
    share = len(excluded) / len(needed)
    if share > max_missing:
        folders = Counter(s.feat_p.split('/')[0] for s in needed
                          if s.sid in excluded)
        per_folder = ', '.join(f'{name} {count}'
                               for name, count in folders.most_common())
        allowed = math.ceil(share * 100) / 100
        raise RawDataError(
            f'{len(excluded)} of {len(needed)} BABEL sequences ({share:.1%})'
            f' have no motion under {amass_root}, more than --max-missing '
            f'{max_missing:g}; nothing was written. Missing per top folder '
            f'of feat_p: {per_folder}. Check --amass-root and the AMASS '
            f'downloads, or pass --max-missing {allowed:g} to convert the '
            f'rest.\n{examples}')
    return excluded


def apply_label_policy(labelled: Sequence[BabelSequence],
                       motions: Dict[str, MotionInput], policy: str
                       ) -> Tuple[List[BabelSequence], List[LabelIssue]]:
    """The labelled sequences with ``policy`` applied
    (:func:`~.timing.check_labels`), and every issue found.

    Raises:
        RawDataError: with ``policy='error'``, listing every issue.
    """
    kept, issues = [], []
    for sequence in labelled:
        motion = motions[sequence.feat_p]
        checked, found = check_labels(sequence, motion.num_frames, motion.fps,
                                      policy)
        issues += found
        if checked is not None:
            kept.append(checked)
    if issues and policy == 'error':
        lines = [f'{i.sid}, {i.segment}: {i.reason}' for i in issues]
        raise RawDataError(
            f'{len(issues)} BABEL label(s) do not fit their motion; nothing '
            'was extracted. Use --on-bad-segment warn to clip them or drop '
            f'to leave them out.\n{_listed(lines)}')
    return kept, issues


def write_outputs(builds: Sequence[Tuple[dict, FileSummary]], out_dir: str,
                  suffix: str, summary_of_inputs: str) -> Dict[str, str]:
    """Write every annotation file, or none if one of them would be empty.

    Returns:
        ``{name: path}`` of the files written.

    Raises:
        RawDataError: naming the file that would hold no sequence; nothing
            is written then, so existing files stay as they were.
    """
    empty = [summary.name for data, summary in builds
             if not data['annotations']]
    if empty:
        raise RawDataError(
            f'{", ".join(empty)} would hold no sequence ({summary_of_inputs})'
            f'; nothing was written to {out_dir}, existing files are '
            'unchanged')
    files = {}
    for data, summary in builds:
        name = osp.splitext(summary.name)[0] + suffix
        files[summary.name] = osp.join(out_dir, name)
        save_annotations(data, files[summary.name])
    return files


def prepare_babel(babel_dir: str,
                  amass_root: str,
                  out_dir: str,
                  source: JointSource,
                  cache_dir: Optional[str] = None,
                  workers: int = 1,
                  on_missing: str = 'skip',
                  max_missing: float = DEFAULT_MAX_MISSING,
                  on_bad_segment: str = 'warn',
                  max_frames: Optional[int] = None,
                  subset_sequences: str = 'with-action',
                  with_extra: bool = False,
                  annotation_suffix: str = '.pkl') -> PrepareResult:
    """Convert BABEL + AMASS into the pretraining and three subset files.

    Files written to ``out_dir`` (all or none: a file that would hold no
    sequence stops the run before any is written):

    * ``babel_pretrain.pkl``: every ``train.json`` sequence (with or
      without frame labels; plus, with ``with_extra``, the new
      ``extra_train.json`` sequences), no labels, split ``train``;
    * ``babel_subset{1,2,3}.pkl``: the sequences with ``frame_ann`` of
      ``train.json`` (split ``train``) and ``val.json`` (split ``val``), the
      subset's 4 classes, background elsewhere (which sequences: see
      :func:`build_subset`);
    * ``babel_missing.txt``: one line ``sid<TAB>feat_p<TAB>reason`` per
      skipped sequence (empty if none);
    * ``babel_label_issues.txt``: one line
      ``sid<TAB>segment<TAB>reason<TAB>action`` per label or duration that
      does not fit the motion (:func:`~.timing.check_labels`; empty if
      none).

    Args:
        babel_dir: Folder with ``train.json``, ``val.json`` (and
            ``extra_train.json`` with ``with_extra``).
        amass_root: Folder of the extracted AMASS sub-datasets.
        out_dir: Output folder.
        source: :class:`SMPLHJoints` or :class:`JointsFileJoints`.
        cache_dir: Joint cache folder (default ``out_dir/joints_cache``).
        workers: Processes reading and extracting the motion.
        on_missing: ``'skip'`` sequences without AMASS file (listed), or
            ``'error'`` before any extraction.
        max_missing: Largest share of the sequences that ``'skip'`` may
            leave out; more stops the run before any extraction
            (:func:`check_missing`). A run where no sequence has its motion
            always stops.
        on_bad_segment: ``'warn'``, ``'drop'`` or ``'error'``
            (:func:`~.timing.check_labels`); ``'error'`` stops before any
            extraction.
        max_frames: Drop sequences longer than this at 30 fps (the public
            code drops > 1000); ``None`` keeps all.
        subset_sequences: ``'with-action'`` or ``'all'``, see
            :func:`build_subset`.
        with_extra: Add ``extra_train.json`` motion to pretraining.
        annotation_suffix: ``'.pkl'``, or ``'.npz'`` for the pickle-free
            format; replaces the ``.pkl`` of the file names above.

    Raises:
        RawDataError: naming the file at fault, or what stopped the run.
    """
    if on_missing not in MISSING_POLICIES:
        raise ValueError(f'on_missing must be one of {MISSING_POLICIES}')
    if on_bad_segment not in LABEL_POLICIES:
        raise ValueError(f'on_bad_segment must be one of {LABEL_POLICIES}')
    if not 0 <= max_missing <= 1:
        raise ValueError(f'max_missing must be in [0, 1], got {max_missing}')
    if subset_sequences not in SUBSET_SEQUENCE_CHOICES:
        raise ValueError('subset_sequences must be one of '
                         f'{SUBSET_SEQUENCE_CHOICES}')
    train, val, extra = read_babel_splits(babel_dir, with_extra)
    pretrain = train + extra
    labelled = [s for s in train + val if s.labels is not None]
    needed = list({s.sid: s for s in pretrain + labelled}.values())
    found, missing = locate_motion(needed, amass_root, source)
    excluded = check_missing(needed, missing, amass_root, on_missing,
                             max_missing)
    motions = {
        motion.feat_p: motion
        for motion in map_with_progress(inspect_motion, list(found.items()),
                                        workers, source=source)
    }
    if max_frames is not None:
        for sequence in needed:
            frames = motions.get(sequence.feat_p)
            if frames is not None and frames.output_frames > max_frames:
                excluded.setdefault(
                    sequence.sid, f'{frames.output_frames} frames > '
                    f'max_frames {max_frames}')
    kept_labelled, label_issues = apply_label_policy(
        [s for s in labelled if s.sid not in excluded], motions,
        on_bad_segment)

    cache = JointCache(cache_dir or osp.join(out_dir, 'joints_cache'),
                       source.settings())
    used = {s.feat_p: motions[s.feat_p] for s in needed
            if s.sid not in excluded}
    tasks = [ExtractionTask(motion, cache.path(motion), source)
             for motion in used.values() if not cache.has(motion)]
    map_with_progress(extract_to_cache, tasks, workers,
                      torch_threads=1 if workers > 1 else None)

    meta = dict(fps=TARGET_FPS, layout='nturgb+d', dataset='BABEL',
                units='m', up_axis='z', normalised=False,
                joint_source=source.settings(), max_frames=max_frames,
                converter_version=CONVERTER_VERSION,
                bad_segments=on_bad_segment)

    def joints(feat_p: str):
        return cache.load(used[feat_p])

    builds = [
        build_pretrain([s for s in pretrain if s.sid not in excluded],
                       joints, meta)
    ]
    builds += [
        build_subset(subset, kept_labelled, joints, meta, subset_sequences)
        for subset in BABEL_SUBSETS
    ]
    files = write_outputs(
        builds, out_dir, annotation_suffix,
        f'{len(needed) - len(excluded)} of {len(needed)} sequences kept, '
        f'{len(kept_labelled)} of them labelled')
    report = ConversionReport()
    for sid, why in excluded.items():
        report.skip(sid, why)
    report.notes.append(
        f'{len(used)} AMASS file(s) used: {len(tasks)} extracted now, '
        f'{len(used) - len(tasks)} from the cache {cache.folder}')
    if label_issues:
        report.notes.append(
            f'{len(label_issues)} BABEL label(s) or duration(s) do not fit '
            f'their motion (--on-bad-segment {on_bad_segment})')
    feat_ps = {s.sid: s.feat_p for s in needed}
    missing_list = osp.join(out_dir, 'babel_missing.txt')
    atomic_write(missing_list, ''.join(
        f'{sid}\t{feat_ps[sid]}\t{why}\n'
        for sid, why in excluded.items()).encode())
    issue_list = osp.join(out_dir, 'babel_label_issues.txt')
    atomic_write(issue_list, ''.join(
        issue.line() + '\n' for issue in label_issues).encode())
    return PrepareResult(files, [summary for _, summary in builds], report,
                         len(tasks), len(used) - len(tasks), missing_list,
                         label_issues, issue_list)

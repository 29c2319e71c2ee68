"""Orchestration: BABEL + AMASS -> the annotation files
(:func:`prepare_babel`)."""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from ....datasets.annotation import save_annotations
from ..common import ConversionReport, RawDataError, map_with_progress
from .amass import amass_candidates, find_amass_file
from .annotation_files import (BABEL_SUBSETS, SUBSET_SEQUENCE_CHOICES,
                               FileSummary, build_pretrain, build_subset)
from .babel_json import BabelSequence, read_babel_splits
from .joint_cache import (CONVERTER_VERSION, ExtractionTask, JointCache,
                          extract_to_cache)
from .joint_sources import JointSource
from .timing import TARGET_FPS


MISSING_POLICIES = ('skip', 'error')

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
    """
    files: Dict[str, str]
    summaries: List[FileSummary]
    report: ConversionReport
    extracted: int
    cached: int
    missing_list: str




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


def prepare_babel(babel_dir: str,
                  amass_root: str,
                  out_dir: str,
                  source: JointSource,
                  cache_dir: Optional[str] = None,
                  workers: int = 1,
                  on_missing: str = 'skip',
                  max_frames: Optional[int] = None,
                  subset_sequences: str = 'with-action',
                  with_extra: bool = False,
                  annotation_suffix: str = '.pkl') -> PrepareResult:
    """Convert BABEL + AMASS into the pretraining and three subset files.

    Files written to ``out_dir``:

    * ``babel_pretrain.pkl``: every ``train.json`` sequence (with or
      without frame labels; plus, with ``with_extra``, the new
      ``extra_train.json`` sequences), no labels, split ``train``;
    * ``babel_subset{1,2,3}.pkl``: the sequences with ``frame_ann`` of
      ``train.json`` (split ``train``) and ``val.json`` (split ``val``), the
      subset's 4 classes, background elsewhere (which sequences: see
      :func:`build_subset`);
    * ``babel_missing.txt``: one line ``sid<TAB>feat_p<TAB>reason`` per
      skipped sequence (empty if none).

    Args:
        babel_dir: Folder with ``train.json``, ``val.json`` (and
            ``extra_train.json`` with ``with_extra``).
        amass_root: Folder of the extracted AMASS sub-datasets.
        out_dir: Output folder.
        source: :class:`SMPLHJoints` or :class:`JointsFileJoints`.
        cache_dir: Joint cache folder (default ``out_dir/joints_cache``).
        workers: Extraction processes.
        on_missing: ``'skip'`` sequences without AMASS file (listed), or
            ``'error'`` before any extraction.
        max_frames: Drop sequences longer than this at 30 fps (the public
            code drops > 1000); ``None`` keeps all.
        subset_sequences: ``'with-action'`` or ``'all'``, see
            :func:`build_subset`.
        with_extra: Add ``extra_train.json`` motion to pretraining.
        annotation_suffix: ``'.pkl'``, or ``'.npz'`` for the pickle-free
            format; replaces the ``.pkl`` of the file names above.

    Raises:
        RawDataError: naming the file at fault.
    """
    if on_missing not in MISSING_POLICIES:
        raise ValueError(f'on_missing must be one of {MISSING_POLICIES}')
    if subset_sequences not in SUBSET_SEQUENCE_CHOICES:
        raise ValueError('subset_sequences must be one of '
                         f'{SUBSET_SEQUENCE_CHOICES}')
    train, val, extra = read_babel_splits(babel_dir, with_extra)
    pretrain = train + extra
    labelled = [s for s in train + val if s.labels is not None]
    needed = list({s.sid: s for s in pretrain + labelled}.values())
    found, missing = locate_motion(needed, amass_root, source)
    excluded = {s.sid: missing[s.feat_p] for s in needed
                if s.feat_p in missing}
    if missing and on_missing == 'error':
        lines = [f'  {sid}: {why}' for sid, why in list(excluded.items())[:20]]
        raise RawDataError(
            f'{len(missing)} AMASS file(s) missing under {amass_root} '
            f'({len(excluded)} sequence(s)); nothing was extracted. Use '
            '--on-missing skip to leave them out.\n' + '\n'.join(lines))

    cache = JointCache(cache_dir or osp.join(out_dir, 'joints_cache'),
                       source.settings())
    tasks = [
        ExtractionTask(feat_p, path, cache.path(feat_p), source)
        for feat_p, path in found.items() if not cache.has(feat_p)
    ]
    map_with_progress(extract_to_cache, tasks, workers,
                      torch_threads=1 if workers > 1 else None)
    if max_frames is not None:
        for sequence in needed:
            if sequence.sid in excluded:
                continue
            frames = cache.num_frames(sequence.feat_p)
            if frames > max_frames:
                excluded[sequence.sid] = (f'{frames} frames > max_frames '
                                          f'{max_frames}')

    meta = dict(fps=TARGET_FPS, layout='nturgb+d', dataset='BABEL',
                units='m', up_axis='z', normalised=False,
                joint_source=source.settings(), max_frames=max_frames,
                converter_version=CONVERTER_VERSION)
    builds = [
        build_pretrain([s for s in pretrain if s.sid not in excluded], cache,
                       meta)
    ]
    kept_labelled = [s for s in labelled if s.sid not in excluded]
    builds += [
        build_subset(subset, kept_labelled, cache, meta, subset_sequences)
        for subset in BABEL_SUBSETS
    ]
    files = {}
    for data, summary in builds:
        name = osp.splitext(summary.name)[0] + annotation_suffix
        files[summary.name] = osp.join(out_dir, name)
        save_annotations(data, files[summary.name])
    report = ConversionReport()
    for sid, why in excluded.items():
        report.skip(sid, why)
    report.notes.append(
        f'{len(found)} AMASS file(s) used: {len(tasks)} extracted now, '
        f'{len(found) - len(tasks)} from the cache {cache.folder}')
    missing_list = osp.join(out_dir, 'babel_missing.txt')
    feat_ps = {s.sid: s.feat_p for s in needed}
    with open(missing_list, 'w') as f:
        f.writelines(f'{sid}\t{feat_ps[sid]}\t{why}\n'
                     for sid, why in excluded.items())
    return PrepareResult(files, [summary for _, summary in builds], report,
                         len(tasks), len(found) - len(tasks), missing_list)

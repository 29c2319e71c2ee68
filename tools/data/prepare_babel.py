"""Build the BABEL annotation files (pretraining + the paper's three 4-class
subsets) from the BABEL JSON labels and the AMASS motion.

Writes to ``--out-dir``: ``babel_pretrain.pkl`` (every train sequence,
unlabelled), ``babel_subset{1,2,3}.pkl`` (train/val splits, classes
walk/stand/turn/jump, sit/run/stand up/kick, jog/wave/dance/gesture,
background elsewhere), ``babel_report.txt`` (sequences, frames, hours and
instances per class, per file and split), ``babel_missing.txt`` (the
sequences left out, and why) and ``babel_label_issues.txt`` (the labels and
durations that do not fit their motion, and what was done with them). A
run that finds too little motion, or would write an empty file, stops
before writing anything: existing outputs are never replaced by empty ones. Joints are stored raw (metres, z up, 30 fps);
``NormalizeSkeleton3D`` normalises them in the pipeline. Conventions are in
``snippet_plugin.ingest.converters.babel``.

Joints come from SMPL-H forward kinematics (``--body-model``; needs
``pip install smplx``; defaults as the public code: male model, no betas,
no translation) or from a pre-extracted joints file (``--joints-file``).
Per-sequence joints are cached in ``--cache-dir``, keyed on the content of
each sequence's inputs and on the options that shape the joints: a rerun
(after an interruption, or with other output options) skips the finished
sequences and redoes any whose inputs changed.

Examples::

    python tools/data/prepare_babel.py \\
        --babel-dir data/babel/babel_v1.0_release --amass-root data/amass \\
        --body-model data/body_models --out-dir data/babel --workers 8

    python tools/data/prepare_babel.py \\
        --babel-dir data/babel/babel_v1.0_release --amass-root data/amass \\
        --joints-file data/babel/joints.npz --out-dir data/babel
"""
import argparse
import os.path as osp
import sys
import time

from snippet_plugin.ingest.converters.babel import (
    DEFAULT_MAX_MISSING, GENDER_CHOICES, LABEL_POLICIES, MISSING_POLICIES,
    SUBSET_SEQUENCE_CHOICES, JointsFileJoints, SMPLHJoints, format_summary,
    prepare_babel)
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.utils.output_paths import exit_on_unwritable_output

SHOWN_SKIPS = 20


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--babel-dir', required=True,
                        help='BABEL release folder (train.json, val.json)')
    parser.add_argument('--amass-root', required=True,
                        help='folder of the extracted AMASS sub-datasets')
    joints = parser.add_mutually_exclusive_group(required=True)
    joints.add_argument('--body-model',
                        help='SMPL-H body model folder (smplh/SMPLH_MALE.pkl'
                        ' or smplh/male/model.npz) or model file')
    joints.add_argument('--joints-file',
                        help='.npz/.pkl mapping feat_p -> (T, 25, 3) NTU '
                        'joints at the AMASS frame rate')
    parser.add_argument('--gender', choices=GENDER_CHOICES,
                        help='body model gender (default: male); from-file '
                        'uses each AMASS file\'s gender')
    parser.add_argument('--use-betas', action='store_true',
                        help='apply each AMASS file\'s body shape (default: '
                        'mean shape)')
    parser.add_argument('--with-translation', action='store_true',
                        help='add the root translation (default: none)')
    parser.add_argument('--out-dir', default='data/babel',
                        help='output folder')
    parser.add_argument('--format', choices=('pkl', 'npz'), default='pkl',
                        help='annotation file format: pickle, or the '
                        'pickle-free .npz (default: pkl)')
    parser.add_argument('--cache-dir',
                        help='per-sequence joint cache (default: '
                        'OUT_DIR/joints_cache)')
    parser.add_argument('--workers', type=int, default=1,
                        help='extraction processes')
    parser.add_argument('--on-missing', choices=MISSING_POLICIES,
                        default='skip',
                        help='a sequence without AMASS file is skipped and '
                        'listed (default), or stops the run before any work')
    parser.add_argument('--max-missing', type=float,
                        default=DEFAULT_MAX_MISSING,
                        help='largest share of the sequences that may lack '
                        'their AMASS file (default %(default)g); more stops '
                        'the run before any work (1 accepts any share; a '
                        'run that finds none always stops)')
    parser.add_argument('--on-bad-segment', choices=LABEL_POLICIES,
                        default='warn',
                        help='a BABEL label outside its motion, or a dur '
                        'that differs from the AMASS file: warn (clip it, '
                        'keep the sequence; default), drop (the label; a '
                        'sequence whose dur differs leaves the subset '
                        'files) or error (stop before any work); all are '
                        'listed in babel_label_issues.txt')
    parser.add_argument('--max-frames', type=int,
                        help='drop sequences longer than this at 30 fps '
                        '(the public code: 1000; default: keep all)')
    parser.add_argument('--subset-sequences',
                        choices=SUBSET_SEQUENCE_CHOICES,
                        default='with-action',
                        help='subset files keep the labelled sequences with '
                        'at least one action of the subset (default) or all')
    parser.add_argument('--with-extra', action='store_true',
                        help='add the motion of extra_train.json to the '
                        'pretraining file')
    args = parser.parse_args(argv)
    smplh_options = args.gender or args.use_betas or args.with_translation
    if args.joints_file and smplh_options:
        parser.error('--gender, --use-betas and --with-translation apply to '
                     '--body-model only')
    if args.workers < 1:
        parser.error('--workers must be >= 1')
    if not 0 <= args.max_missing <= 1:
        parser.error('--max-missing must be a share in [0, 1]')
    return args


def open_joint_source(args: argparse.Namespace):
    """The joint source of the arguments, checked before any work."""
    if args.joints_file:
        return JointsFileJoints.open(args.joints_file)
    return SMPLHJoints.open(args.body_model, args.gender or 'male',
                            args.use_betas, args.with_translation)


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        result = prepare_babel(
            args.babel_dir, args.amass_root, args.out_dir,
            open_joint_source(args), cache_dir=args.cache_dir,
            workers=args.workers, on_missing=args.on_missing,
            max_missing=args.max_missing,
            on_bad_segment=args.on_bad_segment, max_frames=args.max_frames,
            subset_sequences=args.subset_sequences,
            with_extra=args.with_extra,
            annotation_suffix='.' + args.format)
    except RawDataError as err:
        sys.exit(f'error: {err}')
    report = '\n\n'.join(format_summary(s) for s in result.summaries)
    report += '\n\n' + '\n'.join(f'note: {n}' for n in result.report.notes)
    report_file = osp.join(args.out_dir, 'babel_report.txt')
    with open(report_file, 'w') as f:
        f.write(report + '\n')
    print(f'\nwrote {", ".join(result.files.values())} in '
          f'{time.perf_counter() - started:.1f} s\n')
    print(report)
    print_listing(f'skipped {len(result.report.skipped)} sequence(s) (all '
                  f'listed in {result.missing_list})',
                  [f'{sid}: {why}' for sid, why in result.report.skipped])
    print_listing(
        f'{len(result.label_issues)} label(s) or duration(s) do not fit their'
        f' motion (all listed in {result.label_issue_list})',
        [f'{i.sid}, {i.segment}: {i.reason}; {i.action}'
         for i in result.label_issues])


def print_listing(title: str, lines) -> None:
    """``title`` and the first :data:`SHOWN_SKIPS` lines, if there are any.
    """
    if not lines:
        return
    print(f'\n{title}:')
    for line in lines[:SHOWN_SKIPS]:
        print(f'  {line}')
    if len(lines) > SHOWN_SKIPS:
        print(f'  ... and {len(lines) - SHOWN_SKIPS} more')


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

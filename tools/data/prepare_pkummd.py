"""Build a PKU-MMD (phase 1) annotation file from the raw skeleton and label
files.

Label ``end`` frames are read as inclusive (``[start, end]`` -> half-open
``[start, end + 1)``; see ``snippet_plugin.ingest.converters.pkummd``);
``--label-end exclusive`` reads them as ``[start, end)``.

Examples::

    python tools/data/prepare_pkummd.py \\
        --skeleton-dir data/pkummd/PKU_Skeleton_Renew \\
        --label-dir data/pkummd/Train_Label_PKU_final \\
        --split-file data/pkummd/Split/cross-subject.txt \\
        --out data/pkummd/pkummd_xsub.pkl --workers 8

    python tools/data/prepare_pkummd.py --skeleton-dir ... --label-dir ... \\
        --train-list train_ids.txt --val-list val_ids.txt \\
        --class-names my_classes.txt --on-missing skip --out custom.pkl
"""
import argparse
import os.path as osp
import sys
import time

from snippet_plugin.datasets.annotation import (AnnotationError,
                                                save_annotations)
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.pkummd import (PKUMMD_CLASSES,
                                                       convert_pkummd,
                                                       parse_split_file,
                                                       read_id_list)
from snippet_plugin.datasets.statistics import format_statistics
from snippet_plugin.utils.output_paths import exit_on_unwritable_output


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--skeleton-dir', required=True,
                        help='folder of <video>.txt skeleton files')
    parser.add_argument('--label-dir', required=True,
                        help='folder of <video>.txt label files')
    parser.add_argument('--split-file',
                        help='official split file (cross-subject.txt or '
                        'cross-view.txt)')
    parser.add_argument('--train-list',
                        help='file of training video ids (comma/whitespace '
                        'separated); with --val-list, instead of '
                        '--split-file')
    parser.add_argument('--val-list', help='file of validation video ids')
    parser.add_argument('--out', required=True,
                        help='annotation file to write; the suffix picks '
                        'the format: .pkl (pickle) or .npz (pickle-free)')
    parser.add_argument('--class-names',
                        help='file with one class name per line, label 1 '
                        'first (default: the 51 official PKU-MMD actions)')
    parser.add_argument('--label-end', choices=('inclusive', 'exclusive'),
                        default='inclusive',
                        help='whether a label end frame is the last frame '
                        'of the action (default) or the one after it')
    parser.add_argument('--end-tolerance', type=int, default=0,
                        help='frames a segment may end past the last '
                        'skeleton frame (clipped); beyond that: error')
    parser.add_argument('--on-missing', choices=('error', 'skip'),
                        default='error',
                        help='a listed video without its skeleton or label '
                        'file stops the run (default) or is skipped')
    parser.add_argument('--allow-empty-labels', action='store_true',
                        help='accept label files without any action (their '
                        'videos are all background); default: refuse them')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes reading files')
    args = parser.parse_args(argv)
    if bool(args.split_file) == bool(args.train_list or args.val_list):
        parser.error('give either --split-file or --train-list with '
                     '--val-list')
    if not args.split_file and not (args.train_list and args.val_list):
        parser.error('--train-list and --val-list go together')
    return args


def read_splits(args: argparse.Namespace):
    """``({'train': ids, 'val': ids}, description)`` from the arguments."""
    if args.split_file:
        return parse_split_file(args.split_file), osp.basename(
            args.split_file)
    splits = dict(train=read_id_list(args.train_list),
                  val=read_id_list(args.val_list))
    return splits, (f'{osp.basename(args.train_list)} + '
                    f'{osp.basename(args.val_list)}')


def read_class_names(path: str):
    """One class name per line, blank lines ignored."""
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise RawDataError(f'{path}: no class names')
    return names


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        splits, split_source = read_splits(args)
        classes = (read_class_names(args.class_names)
                   if args.class_names else PKUMMD_CLASSES)
        data, report = convert_pkummd(
            args.skeleton_dir, args.label_dir, splits, classes,
            end_inclusive=args.label_end == 'inclusive',
            end_tolerance=args.end_tolerance, on_missing=args.on_missing,
            workers=args.workers, split_source=split_source,
            allow_empty_labels=args.allow_empty_labels)
        save_annotations(data, args.out)
    except (RawDataError, AnnotationError) as err:
        sys.exit(f'error: {err}')
    print(f'\nwrote {args.out} in {time.perf_counter() - started:.1f} s, '
          f'{osp.getsize(args.out) / 2**20:.1f} MiB')
    print(format_statistics(data, unit='videos'))
    if report.notes or report.skipped:
        print(report.summary('video'))


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

"""Build an NTU RGB+D 60 pretraining annotation file (cross-subject split)
from the raw ``.skeleton`` files or from pyskl's ``ntu60_3danno.pkl``.

The file has no segments or labels: read it with ``label_mode='none'``.
Raw files keep at most two bodies per clip, those of highest motion energy
(see ``snippet_plugin.ingest.converters.ntu``).

Examples::

    python tools/data/prepare_ntu.py \\
        --skeleton-dir data/ntu/nturgb+d_skeletons \\
        --ignore-list data/ntu/NTU_RGBD_samples_with_missing_skeletons.txt \\
        --out data/ntu/ntu60_xsub_pretrain.pkl --workers 8

    python tools/data/prepare_ntu.py --pyskl-pkl data/ntu/ntu60_3danno.pkl \\
        --out data/ntu/ntu60_xsub_pretrain.pkl
"""
import argparse
import os.path as osp
import sys
import time

from snippet_plugin.datasets.annotation import (AnnotationError,
                                                save_annotations)
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.ntu import (convert_ntu_pickle,
                                                    convert_ntu_skeletons,
                                                    read_ignore_list)
from snippet_plugin.datasets.statistics import format_statistics
from snippet_plugin.utils.output_paths import exit_on_unwritable_output


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--skeleton-dir',
                        help='folder of raw SsssCcccPpppRrrrAaaa.skeleton '
                        'files')
    source.add_argument('--pyskl-pkl',
                        help="pyskl/MMAction2 ntu60_3danno.pkl (its "
                        "xsub_train/xsub_val splits are used)")
    parser.add_argument('--out', required=True,
                        help='annotation file to write; the suffix picks '
                        'the format: .pkl (pickle) or .npz (pickle-free)')
    parser.add_argument('--ignore-list',
                        help='file of sample names to leave out, one per '
                        'line (raw files only)')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes reading raw files')
    args = parser.parse_args(argv)
    if args.ignore_list and not args.skeleton_dir:
        parser.error('--ignore-list applies to --skeleton-dir only')
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        if args.skeleton_dir:
            ignore = (read_ignore_list(args.ignore_list)
                      if args.ignore_list else ())
            data, report = convert_ntu_skeletons(args.skeleton_dir,
                                                 ignore=ignore,
                                                 workers=args.workers)
        else:
            data, report = convert_ntu_pickle(args.pyskl_pkl)
        save_annotations(data, args.out)
    except (RawDataError, AnnotationError) as err:
        sys.exit(f'error: {err}')
    print(f'\nwrote {args.out} in {time.perf_counter() - started:.1f} s, '
          f'{osp.getsize(args.out) / 2**20:.1f} MiB')
    print(format_statistics(data, unit='clips'))
    if report.notes or report.skipped:
        print(report.summary('clip'))


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

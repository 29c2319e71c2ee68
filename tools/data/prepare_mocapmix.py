"""Build the bundled MocapMix annotation file from the packaged mocap clips.

Untrimmed, labelled sequences stitched from the DeepMimic motion-capture
clips shipped in ``snippet_plugin/ingest/mocapmix/data`` (see
``snippet_plugin.ingest.mocapmix.builder`` for how). Runs in seconds.
An existing valid file built with the same arguments is kept unless
``--force`` is given.

Example::

    python tools/data/prepare_mocapmix.py --out data/mocapmix/mocapmix.pkl
"""
import argparse
import os.path as osp
import time

from snippet_plugin.datasets.annotation import (AnnotationError,
                                                load_annotations,
                                                save_annotations)
from snippet_plugin.ingest.mocapmix import build_mocapmix
from snippet_plugin.ingest.mocapmix.builder import BUILDER_VERSION
from snippet_plugin.datasets.statistics import format_statistics
from snippet_plugin.utils.output_paths import exit_on_unwritable_output


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/mocapmix/mocapmix.pkl',
                        help='annotation file to write; the suffix picks '
                        'the format: .pkl (pickle) or .npz (pickle-free)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-train', type=int, default=48,
                        help='sequences in the train split')
    parser.add_argument('--num-val', type=int, default=16,
                        help='sequences in the val split')
    parser.add_argument('--force', action='store_true',
                        help='rebuild even if a valid file exists')
    return parser.parse_args(argv)


def existing_file_status(path: str, wanted: dict):
    """Why ``path`` must be (re)built, or None if it can be kept.

    Returns:
        ``(data, None)`` for a valid file built with ``wanted`` settings,
        else ``(None, reason)``.
    """
    if not osp.exists(path):
        return None, 'no file yet'
    try:
        data = load_annotations(path)
    except AnnotationError as err:
        return None, f'existing file is invalid ({str(err).splitlines()[0]})'
    meta = data['meta']
    differs = {k: meta.get(k) for k, v in wanted.items() if meta.get(k) != v}
    if differs:
        return None, f'existing file was built with {differs}'
    return data, None


def main(argv=None) -> None:
    args = parse_args(argv)
    wanted = {
        'dataset': 'MocapMix',
        'version': BUILDER_VERSION,
        'seed': args.seed,
        'num_train': args.num_train,
        'num_val': args.num_val,
    }
    data, reason = (None, '--force') if args.force else \
        existing_file_status(args.out, wanted)
    if data is not None:
        print(f'{args.out} exists and is valid; kept (use --force to '
              'rebuild)')
    else:
        started = time.perf_counter()
        data = build_mocapmix(args.seed, args.num_train, args.num_val)
        save_annotations(data, args.out)
        print(f'built {args.out} ({reason}) in '
              f'{time.perf_counter() - started:.1f} s, '
              f'{osp.getsize(args.out) / 2**20:.1f} MiB')
    print(format_statistics(data))


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

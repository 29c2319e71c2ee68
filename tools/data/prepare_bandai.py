"""Build BandaiMix from a clone of the Bandai-Namco-Research-Motiondataset.

Untrimmed, labelled sequences stitched from the 3,076 BVH clips (see
``snippet_plugin.ingest.bandaimix``), split by style: val uses styles that
training never sees. Prints the clips and the statistics of the build and
draws its first val sequence. The data is CC BY-NC 4.0 and the output is
derived data under the same licence (docs/datasets.md, "BandaiMix").

Example::

    git clone https://github.com/BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset.git
    git -C Bandai-Namco-Research-Motiondataset checkout 74ead3b
    python tools/data/prepare_bandai.py \\
        --src Bandai-Namco-Research-Motiondataset/dataset \\
        --out data/bandaimix/bandaimix.pkl
    # dataset 2 alone (10 classes, 7 styles), its own file
    python tools/data/prepare_bandai.py --src ... --subset dataset2
"""
import argparse
import os.path as osp
import sys
import time

from snippet_plugin.datasets.annotation import (AnnotationError,
                                                save_annotations)
from snippet_plugin.datasets.statistics import format_statistics
from snippet_plugin.ingest.bandaimix import (BvhError, CatalogueError,
                                             build_from_library,
                                             load_library)
from snippet_plugin.ingest.bandaimix.builder import clip_table
from snippet_plugin.ingest.bandaimix.catalogue import SUBSETS
from snippet_plugin.visualization import plot_sequence, save_figure
from snippet_plugin.utils.output_paths import exit_on_unwritable_output

DEFAULT_OUT = {'all': 'data/bandaimix/bandaimix.pkl',
               'dataset2': 'data/bandaimix/bandaimix_dataset2.pkl'}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--src', required=True,
                        help="the clone's dataset/ folder (holding "
                        'Bandai-Namco-Research-Motiondataset-1 and -2)')
    parser.add_argument('--out', default=None,
                        help='annotation file to write (.pkl or .npz); '
                        f'default {DEFAULT_OUT["all"]}, or '
                        f'{DEFAULT_OUT["dataset2"]} with --subset dataset2')
    parser.add_argument('--subset', choices=sorted(SUBSETS), default='all',
                        help='all: both datasets, 16 classes; dataset2: '
                        'dataset 2 only, 10 classes')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-train', type=int, default=192,
                        help='sequences in the train split')
    parser.add_argument('--num-val', type=int, default=48,
                        help='sequences in the val split')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes parsing the BVH files')
    parser.add_argument('--draw', default=None,
                        help='PNG of the first val sequence (default '
                        'work_dirs/bandaimix/<out name>_val_000.png; '
                        '"none" to skip)')
    return parser.parse_args(argv)


def draw_first_val(data: dict, path: str) -> str:
    """Save the first val sequence as a stick-figure strip + timeline."""
    sample = next(s for s in data['annotations']
                  if s['frame_dir'] == data['split']['val'][0])
    frames = sample['total_frames']
    figure = plot_sequence(
        sample['keypoint'], sample['frame_labels'], data['meta']['classes'],
        title=f"{sample['frame_dir']}: {frames} frames "
        f'({frames / data["meta"]["fps"]:.1f} s), side view')
    return save_figure(figure, path)


def main(argv=None) -> None:
    args = parse_args(argv)
    out = args.out or DEFAULT_OUT[args.subset]
    started = time.perf_counter()
    try:
        library, orphans = load_library(args.src, args.subset, args.workers)
        loaded = time.perf_counter()
        data = build_from_library(library, args.seed, args.num_train,
                                  args.num_val, args.subset)
        save_annotations(data, out)
    except (CatalogueError, BvhError, AnnotationError) as err:
        sys.exit(f'error: {err}')
    meta = data['meta']
    print(f'{len(library.records)} clips of {len(library.classes)} classes '
          f'read in {loaded - started:.1f} s ({args.workers} worker(s)); '
          f"train styles {meta['styles']['train']}, val styles "
          f"{meta['styles']['val']}")
    print('left out (one style only): ' +
          (', '.join(meta['excluded_contents']) or 'none'))
    for path in orphans:
        print(f'label without motion file (left-out content): {path}')
    print(clip_table(library))
    print(f'\nwrote {out} in {time.perf_counter() - started:.1f} s, '
          f'{osp.getsize(out) / 2**20:.1f} MiB')
    print(format_statistics(data))
    if args.draw != 'none':
        stem = osp.splitext(osp.basename(out))[0]
        drawn = draw_first_val(
            data, args.draw or f'work_dirs/bandaimix/{stem}_val_000.png')
        print(f'drew {drawn}')


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

"""Draw one annotated skeleton sequence to a PNG.

A strip of stick figures (evenly spaced frames, body-centred side view,
left limbs blue, right limbs red) above the sequence's label timeline
(one colour per class, background grey, legend below).

Example::

    python tools/visualize_sequence.py data/mocapmix/mocapmix.pkl \\
        --sample mocapmix_val_000 --out work_dirs/vis/val_000.png
    # the first val sequence with a kick, strip zoomed on the first kick
    python tools/visualize_sequence.py data/mocapmix/mocapmix.pkl \\
        --split val --with-class kick --focus --out work_dirs/vis/kick.png
    # frames 120-180 of the 4th sample of the file
    python tools/visualize_sequence.py data/mocapmix/mocapmix.pkl \\
        --sample 3 --range 120:180 --out work_dirs/vis/s3.png
"""
import argparse

import numpy as np

from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.visualization import plot_sequence
from snippet_plugin.utils.output_paths import (exit_on_unwritable_output,
                                          make_output_parent)

UP_AXES = {'x': 0, 'y': 1, 'z': 2}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('annotation', help='annotation .pkl file')
    parser.add_argument('--sample', default=None,
                        help='frame_dir of the sample, or its index among '
                        'the candidates (default 0)')
    parser.add_argument('--split', default=None,
                        help='candidates: the samples of this split '
                        '(default all samples)')
    parser.add_argument('--with-class', default=None,
                        help='candidates: the samples with a segment of '
                        'this class (name or id)')
    parser.add_argument('--focus', action='store_true',
                        help='zoom the strip on the first segment of '
                        '--with-class')
    parser.add_argument('--out', required=True, help='output PNG path')
    parser.add_argument('--num-figures', type=int, default=12,
                        help='stick figures in the strip (default 12)')
    parser.add_argument('--range', dest='frame_range', default=None,
                        help='START:END frames of the strip (end exclusive; '
                        'default the whole sequence)')
    parser.add_argument('--view', choices=('side', 'front'), default='side')
    parser.add_argument('--up-axis', choices=sorted(UP_AXES), default=None,
                        help="vertical coordinate (default: meta['up_axis'] "
                        "or z)")
    parser.add_argument('--dpi', type=int, default=110)
    return parser.parse_args(argv)


def candidate_samples(data: dict, split=None, with_class=None) -> list:
    """Samples of ``split`` that have a segment of class ``with_class``."""
    samples = data['annotations']
    if split is not None:
        if split not in data.get('split', {}):
            raise SystemExit(f'no split {split!r}; the file has '
                             f"{sorted(data.get('split', {}))}")
        members = set(data['split'][split])
        samples = [s for s in samples if s['frame_dir'] in members]
    if with_class is not None:
        class_id = class_index(data['meta'], with_class)
        samples = [s for s in samples
                   if any(c == class_id for _, _, c in s.get('segments', []))]
    if not samples:
        raise SystemExit(f'no sample in split {split!r} has class '
                         f'{with_class!r}')
    return samples


def class_index(meta: dict, name: str) -> int:
    """Id of class ``name`` (a class name or an id)."""
    classes = list(meta.get('classes', []))
    if name in classes:
        return classes.index(name)
    if name.isdigit() and int(name) < len(classes):
        return int(name)
    raise SystemExit(f'unknown class {name!r}; classes: {classes}')


def find_sample(samples: list, key) -> dict:
    """The sample whose frame_dir is ``key``, else the one at index
    ``key``, else the first."""
    if key is None:
        return samples[0]
    for sample in samples:
        if sample['frame_dir'] == key:
            return sample
    if key.lstrip('-').isdigit() and -len(samples) <= int(key) < len(samples):
        return samples[int(key)]
    raise SystemExit(f'no sample {key!r}: give a frame_dir or an index '
                     f'below {len(samples)}')


def first_segment(sample: dict, class_id: int):
    """``(start, end)`` of the sample's first segment of ``class_id``."""
    return min((s, e) for s, e, c in sample['segments'] if c == class_id)


def parse_range(text, total_frames: int):
    """``'START:END'`` -> ``(start, end)`` clipped to the sequence."""
    if text is None:
        return None
    start, _, end = text.partition(':')
    start = max(0, int(start or 0))
    end = min(total_frames, int(end) if end else total_frames)
    if end <= start:
        raise SystemExit(f'empty --range {text!r} for {total_frames} frames')
    return start, end


def main(argv=None) -> None:
    args = parse_args(argv)
    data = load_annotations(args.annotation)
    meta = data['meta']
    if args.focus and args.with_class is None:
        raise SystemExit('--focus needs --with-class')
    sample = find_sample(
        candidate_samples(data, args.split, args.with_class), args.sample)
    classes = list(meta.get('classes', []))
    frame_labels = sample.get('frame_labels')
    if frame_labels is not None:
        frame_labels = np.asarray(frame_labels)
    up_axis = UP_AXES[args.up_axis or meta.get('up_axis', 'z')]
    keypoint = np.asarray(sample['keypoint'])
    frame_range = parse_range(args.frame_range, keypoint.shape[1])
    if args.focus and frame_range is None:
        frame_range = first_segment(sample, class_index(meta, args.with_class))
    fps = meta.get('fps', 30)
    title = (f"{sample['frame_dir']}: {keypoint.shape[1]} frames "
             f'({keypoint.shape[1] / fps:.1f} s at {fps} fps), {args.view} '
             'view')
    figure = plot_sequence(keypoint, frame_labels, classes,
                           num_figures=args.num_figures,
                           frame_range=frame_range, view=args.view,
                           up_axis=up_axis, title=title)
    figure.savefig(make_output_parent(args.out), dpi=args.dpi)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

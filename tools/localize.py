"""Localize the actions in one skeleton recording with a trained localizer.

Writes ``<out-dir>/<name>.json`` (the predicted segments with class names,
frames and seconds, and the frame labels) and ``<out-dir>/<name>_timeline.png``
(the prediction timeline, under the ground truth when the input file has
segments), and prints the segments. Ground truth is mapped to the model's
classes by name; a note says so whenever the file's classes are not the
model's, and classes the model lacks are drawn under their own names.

INPUT is a PKU-MMD skeleton ``.txt``, an NTU RGB+D ``.skeleton``, a ``.npy``
array ``(T, 25, 3)`` / ``(M, T, 25, 3)`` (xyz, NTU-25 joint order), or an
annotation ``.pkl`` (pick the sample with ``--sample``).

Example::

    python tools/localize.py configs/my_localizer.py \\
        work_dirs/loc/epoch_40.pth my_recording.skeleton \\
        --out-dir work_dirs/localized
"""
import argparse
import json
import os.path as osp
import sys

from snippet_plugin.apis import (LocalizationResult, SkeletonInputError,
                                 inference_localizer, init_localizer)
from snippet_plugin.visualization import plot_label_timelines, save_figure
from snippet_plugin.utils.output_paths import (exit_on_unwritable_output,
                                          make_output_folder)


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='localizer config file')
    parser.add_argument('checkpoint', help='checkpoint of that config')
    parser.add_argument('input', help='skeleton file (.txt, .skeleton, .npy '
                        'or annotation .pkl)')
    parser.add_argument('--out-dir', default='.',
                        help='folder of the JSON and PNG (default: .)')
    parser.add_argument('--sample', default=None,
                        help='frame_dir or index of the sample of an '
                        'annotation .pkl (default the first)')
    parser.add_argument('--fps', type=float, default=None,
                        help='frame rate for the seconds (default: the '
                        "file's, the model's, else 30)")
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--print-min-score', type=float, default=0.2,
                        help='print the segments scoring at least this '
                        '(default 0.2); the JSON keeps every segment, as the '
                        'mAP evaluation scores them all')
    return parser.parse_args(argv)


def segment_table(result: LocalizationResult, min_score: float = 0.0) -> str:
    """One line per segment scoring at least ``min_score``: class, frames,
    seconds, score."""
    shown = [seg for seg in result.segments if seg['score'] >= min_score]
    smoothing = ('unsmoothed' if result.smoothing_s is None else
                 f'smoothed over {result.smoothing_s:g} s')
    header = (f'{result.name}: {len(result.segments)} segment(s) in '
              f'{result.num_frames} frames at {result.fps:g} fps '
              f'({smoothing}); {len(shown)} with score >= {min_score:g}')
    lines = [header, f'{"class":<24} {"frames":>13} {"seconds":>17} score']
    for seg in shown:
        frames = f'{seg["start_frame"]}-{seg["end_frame"]}'
        seconds = f'{seg["start_sec"]:.2f}-{seg["end_sec"]:.2f}'
        lines.append(f'{seg["label"][:24]:<24} {frames:>13} {seconds:>17} '
                     f'{seg["score"]:.3f}')
    return '\n'.join(lines)


def write_outputs(result: LocalizationResult, out_dir: str) -> tuple:
    """Write ``<name>.json`` and ``<name>_timeline.png``; return the paths.
    """
    stem = osp.join(make_output_folder(out_dir), result.name.replace('/', '_'))
    json_path = f'{stem}.json'
    with open(json_path, 'w') as f:
        json.dump(result.to_dict(), f, indent=1)
    rows, classes = result.timeline_rows()
    figure = plot_label_timelines(rows, classes,
                                  title=f'{result.name}: localized actions')
    png_path = save_figure(figure, f'{stem}_timeline.png')
    return json_path, png_path


def main(argv=None) -> None:
    """Localize INPUT; exit with the message on a bad input."""
    args = parse_args(argv)
    model = init_localizer(args.config, args.checkpoint, device=args.device)
    try:
        result = inference_localizer(model, args.input, fps=args.fps,
                                     sample=args.sample)
    except SkeletonInputError as err:
        sys.exit(f'error: {err}')
    print(segment_table(result, args.print_min_score))
    if result.ground_truth is not None and result.ground_truth.note:
        print(f'note: {result.ground_truth.note}')
    for path in write_outputs(result, args.out_dir):
        print(f'wrote {path}')


if __name__ == '__main__':
    with exit_on_unwritable_output():
        main()

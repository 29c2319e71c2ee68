"""Benchmark the ``'anet'`` protocol against MMAction2's ActivityNet-style
evaluator, for agreement and speed.

Reference: ``mmaction.evaluation.functional.eval_detection.
compute_average_precision_detection`` (one class per call; ground truth as
dicts ``{video-id, t-start, t-end}``, predictions ``{video-id, t-start,
t-end, score}``), called for every class present in the ground truth and
averaged, our rule. ``protocol_map('anet', ...)`` follows it exactly
(``snippet_plugin.evaluation.functional.protocols``): stable score order,
best-IoU unlocked GT, GTs of equal IoU in the reference's
``argsort()[::-1]`` order, VOC all-point AP. The one deliberate difference
is the IoU's precision: ActivityNet's float64 here, MMAction2's float32
there. With integer frames of a few thousand, no IoU lies within float32
rounding of a threshold without being equal to it, so the two agree on
this data; ``tests/test_evaluation/test_functional/test_protocols.py``
shows the case where they do not.

Run: ``python benchmarks/bench_metric.py [--num-proposals 100000 ...]``.
"""
import argparse
import time

import numpy as np
from mmaction.evaluation.functional.eval_detection import \
    compute_average_precision_detection

from snippet_plugin.evaluation.functional import protocol_map


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--num-proposals', type=int, default=100_000)
    parser.add_argument('--num-videos', type=int, default=500)
    parser.add_argument('--num-classes', type=int, default=20)
    parser.add_argument('--gt-per-video', type=int, default=10,
                        help='mean number of ground-truth segments per video')
    parser.add_argument('--video-frames', type=int, default=3000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--repeats', type=int, default=3,
                        help='timing repeats of each evaluator (best is reported)')
    parser.add_argument('--skip-reference', action='store_true',
                        help='time ours only (for large inputs)')
    return parser.parse_args()


def make_ground_truth(rng: np.random.Generator, args) -> list:
    """Non-overlapping integer segments, random classes, in every video."""
    ground_truth = []
    for video in range(args.num_videos):
        count = max(1, rng.poisson(args.gt_per_video))
        cuts = np.sort(rng.choice(args.video_frames, 2 * count,
                                  replace=False))
        for start, end in cuts.reshape(-1, 2):
            ground_truth.append(
                dict(video=f'video_{video:04d}', start=int(start),
                     end=int(end), label=int(rng.integers(args.num_classes))))
    return ground_truth


def make_predictions(rng: np.random.Generator, ground_truth: list,
                     args) -> list:
    """Half jittered copies of ground truth (some with a wrong class), half
    random segments; scores on a 0.001 grid so that many tie."""
    num_near = args.num_proposals // 2
    source = rng.integers(len(ground_truth), size=num_near)
    gt_start = np.array([g['start'] for g in ground_truth])[source]
    gt_end = np.array([g['end'] for g in ground_truth])[source]
    length = gt_end - gt_start
    jitter = (rng.normal(0, 0.2, (num_near, 2)) * length[:, None]).round()
    near_start = np.clip(gt_start + jitter[:, 0], 0, args.video_frames - 1)
    near_end = np.maximum(near_start + 1, gt_end + jitter[:, 1])
    gt_label = np.array([g['label'] for g in ground_truth])[source]
    wrong = rng.random(num_near) < 0.2
    near_label = np.where(wrong, rng.integers(args.num_classes,
                                              size=num_near), gt_label)
    near_video = np.array([g['video'] for g in ground_truth])[source]

    num_random = args.num_proposals - num_near
    rand_start = rng.integers(0, args.video_frames - 10, num_random)
    rand_end = rand_start + rng.integers(5, 400, num_random)
    rand_video = np.array([f'video_{v:04d}' for v in rng.integers(
        args.num_videos, size=num_random)])
    rand_label = rng.integers(args.num_classes, size=num_random)

    video = np.r_[near_video, rand_video]
    start = np.r_[near_start, rand_start].astype(int)
    end = np.r_[near_end, rand_end].astype(int)
    label = np.r_[near_label, rand_label].astype(int)
    score = rng.random(args.num_proposals).round(3)
    shuffle = rng.permutation(args.num_proposals)
    return [
        dict(video=str(video[i]), start=int(start[i]), end=int(end[i]),
             label=int(label[i]), score=float(score[i])) for i in shuffle
    ]


def as_columns(records: list) -> dict:
    """Column form ``{field: array}`` of a list of dicts."""
    return {key: np.array([r[key] for r in records]) for key in records[0]}


def time_ours(predictions, ground_truth, thresholds: np.ndarray,
              args) -> tuple:
    """Best-of-``args.repeats`` wall time of ``protocol_map('anet', ...)``.

    Returns:
        tuple: the ``TemporalMAPResult`` and the seconds.
    """
    seconds = []
    for _ in range(args.repeats):
        tic = time.perf_counter()
        result = protocol_map('anet', predictions, ground_truth, thresholds,
                              num_classes=args.num_classes)
        seconds.append(time.perf_counter() - tic)
    return result, min(seconds)


def reference_map(predictions: list, ground_truth: list,
                  thresholds: np.ndarray, repeats: int) -> tuple:
    """Class-averaged mAP with MMAction2's per-class evaluator.

    Returns:
        tuple: ``(H,)`` mAP per threshold and the best-of-``repeats`` seconds
        spent inside ``compute_average_precision_detection``.
    """
    classes = sorted({g['label'] for g in ground_truth})
    aps, seconds = [], np.zeros(repeats)
    for cls in classes:
        gt_cls = [{'video-id': g['video'], 't-start': g['start'],
                   't-end': g['end']} for g in ground_truth
                  if g['label'] == cls]
        pred_cls = [{'video-id': p['video'], 't-start': p['start'],
                     't-end': p['end'], 'score': p['score']}
                    for p in predictions if p['label'] == cls]
        for repeat in range(repeats):
            tic = time.perf_counter()
            ap = compute_average_precision_detection(
                gt_cls, pred_cls, tiou_thresholds=thresholds)
            seconds[repeat] += time.perf_counter() - tic
        aps.append(ap)
    return np.mean(aps, axis=0), seconds.min()


def main() -> None:
    """Generate data, run both evaluators, print mAPs and the speed ratio."""
    args = parse_args()
    rng = np.random.default_rng(args.seed)
    thresholds = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    ground_truth = make_ground_truth(rng, args)
    predictions = make_predictions(rng, ground_truth, args)
    print(f'{len(predictions)} proposals, {len(ground_truth)} ground-truth '
          f'segments, {args.num_videos} videos, {args.num_classes} classes')

    ours, ours_time = time_ours(predictions, ground_truth, thresholds, args)
    columns, columns_time = time_ours(as_columns(predictions),
                                      as_columns(ground_truth), thresholds,
                                      args)
    assert np.array_equal(columns.mean_ap, ours.mean_ap)
    print(f'{"tIoU":>6}  {"ours mAP":>12}  {"mmaction2 mAP":>14}  {"diff":>8}')
    if args.skip_reference:
        for theta, value in zip(thresholds, ours.mean_ap):
            print(f'{theta:6.1f}  {value:12.9f}')
        print(f'ours: {ours_time:.3f} s from dicts, {columns_time:.3f} s '
              'from columns')
        return
    reference, reference_time = reference_map(predictions, ground_truth,
                                              thresholds, args.repeats)
    for theta, mine, theirs in zip(thresholds, ours.mean_ap, reference):
        print(f'{theta:6.1f}  {mine:12.9f}  {theirs:14.9f}  '
              f'{abs(mine - theirs):8.1e}')
    print(f'average  {ours.average_mean_ap:10.9f}  {reference.mean():14.9f}')
    print(f'max |diff| = {np.abs(ours.mean_ap - reference).max():.1e}')
    print(f'time (best of {args.repeats}): mmaction2 {reference_time:.3f} s;'
          f' ours {ours_time:.3f} s from dicts, '
          f'{columns_time:.3f} s from columns')
    print(f'speed-up (mmaction2 / ours from dicts): '
          f'x{reference_time / ours_time:.1f}')


if __name__ == '__main__':
    main()

"""BABEL timing: resampling to 30 fps by hand (frame counts, frames read,
interpolation), seconds to frames, segments from BABEL labels, and labels and
durations that do not fit the AMASS motion reported one by one and clipped,
dropped or refused by the policy."""
import numpy as np
import pytest

from snippet_plugin.ingest.converters.babel import (BabelLabel, BabelSequence,
                                                    check_labels,
                                                    resample_plan,
                                                    resampled_length,
                                                    seconds_to_frame,
                                                    segments_from_babel_labels)
from babel_world import FRAME_LABELS, SUBSET1_101, time_joints

# 1201 frames at 120 fps: the motion lasts 1201 / 120 = 10.00833 s; its
# 30-fps output has floor(1200 / 4) + 1 = 301 frames, ending at 301 / 30 =
# 10.0333 s.
FRAMES, FPS = 1201, 120.
GOOD = BabelLabel(1.0, 2.0, ('walk', ), 'good')
INSIDE_ROUNDING = BabelLabel(10.0, 10.02, ('walk', ), 'rounding')  # < 1/60 s
LATE_END = BabelLabel(9.5, 12.0, ('stand', ), 'late-end')
NEGATIVE = BabelLabel(-0.5, 1.0, ('turn', ), 'negative')
PAST_END = BabelLabel(11.0, 12.0, ('jump', ), 'past-end')
REVERSED = BabelLabel(3.0, 2.0, ('jump', ), 'reversed')
LABELS = (GOOD, INSIDE_ROUNDING, LATE_END, NEGATIVE, PAST_END, REVERSED)
REASONS = {
    'late-end': 'ends at 12 s, 1.99 s after the end of the motion '
                '(10.0083 s)',
    'negative': 'start_t -0.5 s < 0',
    'past-end': 'starts at 11 s, at or after the end of the motion '
                '(10.0083 s)',
    'reversed': 'start_t 3 s > end_t 2 s',
}


def sequence(dur=10.01):
    return BabelSequence('7', 'CMU/CMU/01/a.npz', 'train', LABELS, dur)


def reported(issues):
    return {issue.segment: (issue.reason, issue.action) for issue in issues}


def test_warn_clips_what_can_be_kept_and_reports_each_label():
    checked, issues = check_labels(sequence(), FRAMES, FPS, 'warn')
    assert reported(issues) == {
        'late-end': (REASONS['late-end'], 'clipped to [9.5, 10.0333] s'),
        'negative': (REASONS['negative'], 'clipped to [0, 1] s'),
        'past-end': (REASONS['past-end'], 'dropped'),
        'reversed': (REASONS['reversed'], 'dropped'),
    }
    assert all(issue.sid == '7' for issue in issues)
    assert checked.labels == (
        GOOD, INSIDE_ROUNDING, BabelLabel(9.5, 301 / 30, ('stand', ),
                                          'late-end'),
        BabelLabel(0.0, 1.0, ('turn', ), 'negative'))


def test_drop_keeps_only_the_good_labels():
    checked, issues = check_labels(sequence(), FRAMES, FPS, 'drop')
    assert {s: a for s, (_, a) in reported(issues).items()} == dict.fromkeys(
        ('late-end', 'negative', 'past-end', 'reversed'), 'dropped')
    assert checked.labels == (GOOD, INSIDE_ROUNDING)


def test_error_changes_nothing_and_reports_every_label():
    checked, issues = check_labels(sequence(), FRAMES, FPS, 'error')
    assert sorted(reported(issues)) == ['late-end', 'negative', 'past-end',
                                        'reversed']
    assert {issue.action for issue in issues} == {'error'}
    assert checked.labels == LABELS


@pytest.mark.parametrize('policy, action, kept', [('warn', 'kept', True),
                                                  ('drop', 'sequence left out '
                                                   'of the subset files',
                                                   False)])
def test_a_dur_that_differs_from_the_motion_is_reported(policy, action,
                                                        kept):
    checked, issues = check_labels(
        BabelSequence('7', 'a.npz', 'train', (GOOD, ), dur=5.0), FRAMES, FPS,
        policy)
    assert reported(issues) == {
        'dur': ('BABEL dur 5 s, but the AMASS file lasts 10.0083 s (1201 '
                'frames at 120 fps)', action)
    }
    assert (checked is not None) == kept


@pytest.mark.parametrize('dur', [None, 10.0, 10.1])
def test_a_dur_within_a_tenth_of_a_second_or_absent_passes(dur):
    checked, issues = check_labels(
        BabelSequence('7', 'a.npz', 'train', (GOOD, ), dur), FRAMES, FPS)
    assert issues == [] and checked.labels == (GOOD, )


@pytest.mark.parametrize('frames, fps, expected', [(1201, 120., 301),
                                                   (181, 60., 91),
                                                   (101, 50., 61),
                                                   (16, 30., 16),
                                                   (120, 120., 30),
                                                   (1, 120., 1)])
def test_resampled_length_by_hand(frames, fps, expected):
    assert resampled_length(frames, fps) == expected


def test_resampled_length_covers_the_recording_and_never_passes_it():
    for fps in (24., 50., 59.94, 60., 100., 119.88, 120., 250.):
        for frames in range(1, 400, 7):
            length = resampled_length(frames, fps)
            last_time = (frames - 1) / fps
            assert (length - 1) / 30 <= last_time + 1e-9
            assert length / 30 > last_time - 1e-9  # no frame lost


@pytest.mark.parametrize('frames, fps', [(1201, 120.), (181, 60.), (101, 50.),
                                         (40, 59.94), (16, 30.)])
def test_resampling_reads_each_output_frame_at_k_over_30_seconds(frames, fps):
    plan = resample_plan(frames, fps)
    source = time_joints(frames, fps)
    out = plan.apply(source[plan.frames])
    length = resampled_length(frames, fps)
    assert out.shape == (length, 25, 3)
    np.testing.assert_allclose(out[:, 0, 0], np.arange(length) / 30,
                               atol=1e-6)
    np.testing.assert_array_equal(out[:, :, 1], source[:length, :, 1])


def test_resampling_computes_only_the_frames_it_uses():
    assert resample_plan(1201, 120.).frames.tolist() == list(range(0, 1201,
                                                                   4))
    # 50 -> 30 fps: positions 0, 5/3, 10/3, 5 -> frames 0, 1-2, 3-4, 5
    plan = resample_plan(6, 50.)
    assert plan.frames.tolist() == [0, 1, 2, 3, 4, 5]
    np.testing.assert_allclose(plan.weight, [0, 2 / 3, 1 / 3, 0])


@pytest.mark.parametrize('seconds, frame', [(0.5 / 30, 1), (0.49 / 30, 0),
                                            (1.5 / 30, 2), (6.85, 206),
                                            (3.51, 105), (5.02, 151),
                                            (2.0, 60)])
def test_seconds_to_frame_rounds_half_up(seconds, frame):
    assert seconds_to_frame(seconds) == frame


def test_segments_from_babel_labels_by_hand():
    labels = [BabelLabel(float(lb['start_t']), float(lb['end_t']),
                         tuple(lb['act_cat'])) for lb in FRAME_LABELS['101']]
    segments, dropped = segments_from_babel_labels(labels,
                                       ('walk', 'stand', 'turn', 'jump'), 301)
    assert segments.tolist() == SUBSET1_101
    assert dropped == 1

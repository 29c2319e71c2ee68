"""BABEL labels and durations that do not fit the AMASS motion are reported
one by one, and clipped, dropped or refused by the policy."""
import pytest

from snippet_plugin.ingest.converters.babel import (BabelLabel,
                                                    BabelSequence,
                                                    check_labels)

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

"""The clip stitching shared by the dataset builders
(snippet_plugin.ingest.stitching): the class deck and the clip bounds."""
import numpy as np
import pytest

from snippet_plugin.ingest.motion import PoseSequence
from snippet_plugin.ingest.stitching import (BodyModel, ClassDeck,
                                             stitch_poses)


def test_deck_draws_each_class_once_per_round():
    deck = ClassDeck(np.random.default_rng(0), 5)
    drawn = [deck.draw() for _ in range(10)]
    assert sorted(drawn[:5]) == sorted(drawn[5:]) == list(range(5))


def test_deck_keeps_classes_outside_allowed_for_later():
    deck = ClassDeck(np.random.default_rng(1), 4)
    limited = [deck.draw(allowed=frozenset({0, 1})) for _ in range(4)]
    assert sorted(limited) == [0, 0, 1, 1]
    # the skipped 2s and 3s of both rounds are still in the deck, first
    assert sorted(deck.draw() for _ in range(4)) == [2, 2, 3, 3]
    with pytest.raises(ValueError, match=r'no class to draw: allowed \[1\], '
                       'excluding 1'):
        deck.draw(exclude=1, allowed=frozenset({1}))


def test_stitched_bounds_leave_junctions_between_clips():
    def still(frames, x):
        rotations = np.zeros((frames, 2, 4))
        rotations[..., 0] = 1.0
        return PoseSequence(np.tile([x, 1.0, 0.0], (frames, 1)), rotations)

    def to_ntu25(pose):  # two points: the root and 1 m below it
        root = pose.root_pos[:, [0, 2, 1]]
        return np.stack([root, root - [0, 0, 1.0]] + [root] * 23, axis=1)

    body = BodyModel(np.array([0.0, 0.0, 1.0]), to_ntu25)
    pose, bounds = stitch_poses([still(5, 0.0), still(6, 3.0), still(4, 9.0)],
                                [0, 4, 7], 0.0, body)
    # still clips: no travel, junctions of exactly min_blend frames
    assert bounds == [(0, 5), (9, 15), (22, 26)]
    assert len(pose) == 26
    np.testing.assert_allclose(pose.root_pos[:, [0, 2]], 0.0, atol=1e-12)
    np.testing.assert_allclose(pose.root_pos[:, 1], 1.0)

"""Position probes: an encoder whose features hold no position scores 1.0 in
both probes, one that adds a position code scores lower; probe B compares
the steps that cover the same frames."""
import math

import pytest
import torch

from snippet_plugin.apis.position_probes import (
    different_frame_similarities, shifted_window_similarities,
    still_pose_similarities, window_shift)

STRIDE = 4
CHANNELS = 6


def content(inputs):
    """``(N, M, T, V, C) -> (N, CHANNELS, ceil(T / STRIDE))``: each step the
    mean over its frames of a fixed function of the pose (no position)."""
    per_frame = inputs.mean(dim=(1, 3))  # (N, T, C)
    per_frame = torch.cat([per_frame, per_frame.sin()], dim=2)
    steps = math.ceil(per_frame.shape[1] / STRIDE)
    pad = steps * STRIDE - per_frame.shape[1]
    padded = torch.cat([per_frame, per_frame[:, -1:].expand(-1, pad, -1)],
                       dim=1)
    return padded.view(per_frame.shape[0], steps, STRIDE, CHANNELS).mean(
        dim=2).transpose(1, 2)


def content_encoder(inputs):
    return [content(inputs)]


def constant_encoder(inputs):
    steps = math.ceil(inputs.shape[2] / STRIDE)
    return [torch.ones(inputs.shape[0], CHANNELS, steps)]


def position_coded_encoder(inputs):
    """The content plus a code of each step's place in the window."""
    feats = content(inputs)
    steps = torch.arange(feats.shape[2], dtype=feats.dtype)
    code = torch.stack([torch.cos(steps * (k + 1) / feats.shape[2] * 3)
                        for k in range(CHANNELS)])
    return [feats + 2 * code]


def sequences(lengths, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(1, length, 25, 3, generator=generator)
            for length in lengths]


def pose(seed=1):
    return torch.randn(1, 25, 3, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize('encoder', [constant_encoder, content_encoder])
def test_features_without_position_score_one_in_both_probes(encoder):
    still = still_pose_similarities(encoder, pose(), 64, 8)
    assert len(still) == 7
    assert still == pytest.approx([1.0] * 7, abs=1e-6)
    shifted = shifted_window_similarities(encoder, sequences([100, 150]), 64,
                                          STRIDE)
    assert shifted == pytest.approx([1.0, 1.0], abs=1e-6)


def test_a_position_code_lowers_both_probes():
    still = still_pose_similarities(position_coded_encoder, pose(), 64, 8)
    assert max(still) < 0.99 and min(still) < 0.5
    shifted = shifted_window_similarities(position_coded_encoder,
                                          sequences([100, 150]), 64, STRIDE)
    assert max(shifted) < 0.9


def test_probe_b_pairs_the_steps_of_the_same_frames():
    """Windows of 30 frames at stride 4 (8 steps, the last of 2 frames):
    the shift is 12 frames (3 steps) and 4 whole steps of each window's
    shared part are compared; a frame-local encoder scores exactly 1 only
    if the steps are paired by the frames they cover."""
    assert window_shift(30, STRIDE) == 12
    seen = []

    def recording(inputs):
        seen.append(inputs)
        return content_encoder(inputs)

    sequence = sequences([50])[0]
    assert shifted_window_similarities(recording, [sequence], 30,
                                       STRIDE) == pytest.approx([1.0])
    windows = seen[0]
    start = (50 - 30 - 12) // 2
    assert torch.equal(windows[0], sequence[:, start:start + 30])
    assert torch.equal(windows[1], sequence[:, start + 12:start + 42])


def test_short_sequences_are_skipped_and_tiny_windows_refused():
    assert shifted_window_similarities(content_encoder, sequences([95, 96]),
                                       64, STRIDE) == pytest.approx([1.0])
    with pytest.raises(ValueError, match='stride'):
        window_shift(7, STRIDE)
    with pytest.raises(ValueError, match='num_snippets'):
        still_pose_similarities(content_encoder, pose(), 64, 1)


def test_the_control_scores_different_frames_as_far_apart_as_the_windows():
    """Windows of 30 frames at stride 4: 7 whole steps, shift 3 steps, so
    each window gives the pairs (3, 0) .. (6, 3) of its own steps; the
    control is their mean cosine over both windows, worked here by a loop.
    A collapsed encoder passes probe B and scores 1 in the control too; the
    content encoder on random frames scores 1 in probe B only."""
    seen = []

    def recording(inputs):
        feats = content(inputs)
        seen.append(feats)
        return [feats]

    sequence = sequences([50], seed=2)[0]
    control = different_frame_similarities(recording, [sequence], 30, STRIDE)
    feats = seen[0]
    cosines = []
    for window in range(2):
        for k in range(4):
            u, v = feats[window, :, k + 3], feats[window, :, k]
            cosines.append(float(u @ v / (u.norm() * v.norm())))
    assert control == pytest.approx([sum(cosines) / len(cosines)], abs=1e-6)
    assert control[0] < 0.9
    assert different_frame_similarities(constant_encoder, [sequence], 30,
                                        STRIDE) == pytest.approx([1.0])
    assert different_frame_similarities(content_encoder,
                                        sequences([40]), 30, STRIDE) == []

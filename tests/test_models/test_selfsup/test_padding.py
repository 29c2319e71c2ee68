"""Padding masks of the pretraining losses: feature steps of a frame mask
and the masked mean, by hand."""
import pytest
import torch

from snippet_plugin.models.selfsup.padding import (feature_step_mask,
                                                   masked_mean)


@pytest.mark.parametrize('num_real, expected', [
    (10, [True, True, True]),  # steps cover frames [0,4) [4,8) [8,10)
    (5, [True, True, False]),
    (4, [True, False, False]),
    (1, [True, False, False]),
])
def test_a_step_is_real_iff_one_of_its_stride_frames_is(num_real, expected):
    frame_mask = torch.arange(10) < num_real
    assert feature_step_mask(frame_mask[None], 4).tolist() == [expected]


def test_stride_one_keeps_the_frame_mask():
    frame_mask = torch.tensor([[True, False, True]])
    assert torch.equal(feature_step_mask(frame_mask, 1), frame_mask)


def test_feature_step_mask_refuses_bad_input():
    with pytest.raises(ValueError, match=r'\(N, T\) frame mask'):
        feature_step_mask(torch.ones(4, dtype=torch.bool), 2)
    with pytest.raises(ValueError, match='stride >= 1'):
        feature_step_mask(torch.ones(1, 4, dtype=torch.bool), 0)


def test_masked_mean_by_hand_and_plain_mean_without_mask():
    values = torch.tensor([[[1., 3., 50.], [2., 4., -50.]],
                           [[5., 7., 9.], [0., 0., 3.]]])
    mask = torch.tensor([[True, True, False], [True, True, True]])
    torch.testing.assert_close(masked_mean(values, mask),
                               torch.tensor([[2., 3.], [7., 1.]]))
    assert torch.equal(masked_mean(values), values.mean(dim=2))

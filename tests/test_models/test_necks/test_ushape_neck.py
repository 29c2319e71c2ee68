"""UShapeNeck (Eq. 8) and LastLevelUpsample: output at frame resolution for
any length, the nested structure Eq. 8 implies, and its wiring checked
against a hand-composed forward pass."""
import math

import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.models import (LastLevelUpsample, MultiScaleGCN,
                                   UShapeNeck)

STRIDES = [1, 2, 4, 8]


@pytest.fixture(scope='module')
def tiny_gcn():
    torch.manual_seed(0)
    return MultiScaleGCN(
        dict(type='STGCN', graph_cfg=dict(layout='nturgb+d',
                                          mode='stgcn_spatial'),
             base_channels=8, down_stages=[2, 5, 8])).eval()


def hand_levels(num_frames, channels, batch=2):
    """Levels ``(N, C_l, ceil(T / s_l))`` as MMAction2's GCNs produce."""
    return tuple(
        torch.randn(batch, c, math.ceil(num_frames / s))
        for c, s in zip(channels, STRIDES))


def nearest(features, length):
    """PyTorch's legacy nearest rule written out: output frame ``i`` takes
    input frame ``floor(i * T_in / length)``."""
    source = [math.floor(i * features.shape[-1] / length)
              for i in range(length)]
    return features[..., source]


@pytest.mark.parametrize('upsample', ['nearest', 'linear'])
@pytest.mark.parametrize('num_frames', [1, 7, 64, 299, 300])
def test_output_has_the_input_frame_count_with_real_gcn_levels(
        tiny_gcn, upsample, num_frames):
    neck = UShapeNeck(tiny_gcn.out_channels, hidden_channels=16,
                      out_channels=12, upsample=upsample).eval()
    with torch.no_grad():
        levels = tiny_gcn(torch.randn(1, 2, num_frames, 25, 3))
        out = neck(levels, num_frames)
    assert [lv.shape[-1] for lv in levels] == [
        math.ceil(num_frames / s) for s in STRIDES]
    assert out.shape == (1, 12, num_frames)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize('upsample', ['nearest', 'linear'])
@pytest.mark.parametrize('num_frames', [1, 7, 64, 299, 300])
@pytest.mark.parametrize('fused', [None, (1, 2, 3), (2, )])
def test_output_has_the_input_frame_count_with_hand_made_levels(
        upsample, num_frames, fused):
    channels = [4, 6, 10, 14]
    neck = UShapeNeck(channels, hidden_channels=8, out_channels=5,
                      levels=fused, upsample=upsample).eval()
    out = neck(hand_levels(num_frames, channels), num_frames)
    assert out.shape == (2, 5, num_frames)


@pytest.mark.parametrize('num_levels, units', [(1, 0), (2, 1), (3, 3),
                                               (4, 6)])
def test_number_of_fusion_units_is_what_eq8_implies(num_levels, units):
    # Eq. 8 defines Z_a^b for b = 1..L-1 and a = 0..L-1-b: sum (L - b).
    assert units == sum(num_levels - b for b in range(1, num_levels))
    neck = UShapeNeck([4] * num_levels, hidden_channels=8, out_channels=8)
    convs3 = [m for m in neck.modules()
              if isinstance(m, torch.nn.Conv1d) and m.kernel_size == (3, )]
    norms = [m for m in neck.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert len(convs3) == len(norms) == units


def test_unit_input_widths_follow_the_concatenation_of_eq8():
    neck = UShapeNeck([4, 6, 10], hidden_channels=16, out_channels=8)
    # H_0^1: Z_0^0 (4) + U(Z_1^0) (6); H_1^1: Z_1^0 (6) + U(Z_2^0) (10);
    # H_0^2: Z_0^0 (4) + Z_0^1 (16) + U(Z_1^1) (16).
    widths = {(0, 1): 10, (1, 1): 16, (0, 2): 36}
    for (a, b), width in widths.items():
        assert neck.unit(a, b)[0].in_channels == width
        assert neck.unit(a, b)[0].out_channels == 16
    assert neck.out_conv.in_channels == 16
    assert neck.out_conv.out_channels == 8


@pytest.mark.parametrize('num_frames', [7, 300])
def test_forward_equals_the_hand_composed_nested_structure(num_frames):
    torch.manual_seed(1)
    neck = UShapeNeck([4, 6, 10], hidden_channels=16, out_channels=8).eval()
    z00, z10, z20 = hand_levels(num_frames, [4, 6, 10])
    t0, t1 = z00.shape[-1], z10.shape[-1]
    z01 = neck.unit(0, 1)(torch.cat([z00, nearest(z10, t0)], 1))
    z11 = neck.unit(1, 1)(torch.cat([z10, nearest(z20, t1)], 1))
    z02 = neck.unit(0, 2)(torch.cat([z00, z01, nearest(z11, t0)], 1))
    expected = neck.out_conv(z02)
    torch.testing.assert_close(neck((z00, z10, z20), num_frames), expected)


def test_coarse_top_is_resampled_to_num_frames():
    torch.manual_seed(2)
    neck = UShapeNeck([3, 4, 5], hidden_channels=6, out_channels=2,
                      levels=(1, 2)).eval()
    levels = hand_levels(7, [3, 4, 5])  # lengths 7, 4, 2
    z10, z20 = levels[1], levels[2]
    z11 = neck.unit(0, 1)(torch.cat([z10, nearest(z20, 4)], 1))
    expected = nearest(neck.out_conv(z11), 7)
    torch.testing.assert_close(neck(levels, 7), expected)


def test_linear_upsampling_interpolates_between_frames():
    neck = UShapeNeck([1], out_channels=1, upsample='linear').eval()
    with torch.no_grad():
        neck.out_conv.weight.fill_(1.0)
        neck.out_conv.bias.zero_()
        out = neck((torch.tensor([[[0.0, 4.0]]]), ), 4)
    # align_corners=False: source positions -0.25, 0.25, 0.75, 1.25 clamp
    # to [0, 1]: 0, 1, 3, 4.
    torch.testing.assert_close(out, torch.tensor([[[0.0, 1.0, 3.0, 4.0]]]))


def test_bad_configuration_and_inputs_are_refused():
    with pytest.raises(ValueError, match='upsample'):
        UShapeNeck([4, 6], upsample='cubic')
    with pytest.raises(ValueError, match='strictly increasing'):
        UShapeNeck([4, 6, 8], levels=(2, 1))
    neck = UShapeNeck([4, 6], hidden_channels=8, out_channels=8)
    with pytest.raises(ValueError, match='level 1'):
        neck((torch.randn(1, 4, 8), torch.randn(1, 7, 4)), 8)
    with pytest.raises(ValueError, match='expects 2 levels'):
        neck((torch.randn(1, 4, 8), ), 8)


@pytest.mark.parametrize('upsample', ['nearest', 'linear'])
def test_last_level_upsample_resamples_the_coarsest_level(upsample):
    levels = hand_levels(299, [4, 6, 10, 14])
    neck = MODELS.build(dict(type='LastLevelUpsample',
                             in_channels=[4, 6, 10, 14], upsample=upsample))
    assert isinstance(neck, LastLevelUpsample) and neck.out_channels == 14
    out = neck(levels, 299)
    assert out.shape == (2, 14, 299)
    if upsample == 'nearest':
        torch.testing.assert_close(out, nearest(levels[-1], 299))


def test_neck_builds_from_the_registry():
    neck = MODELS.build(dict(type='UShapeNeck', in_channels=[4, 6]))
    assert isinstance(neck, UShapeNeck)
    assert neck.hidden_channels == 512 and neck.out_channels == 512
    assert neck.levels == (0, 1) and neck.upsample == 'nearest'

"""MultiStageRefinement (MS-TCN stages): the forward against the stages
composed by hand from their weights, dropout on the residual branch, the
truncated MSE smoothing loss against its formula, every stage supervised,
and padding that never reaches a real frame."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from snippet_plugin.models import MultiStageRefinement
from loss_references import reference_truncated_mse

K = 3


def refinement(**kwargs):
    torch.manual_seed(0)
    kwargs = dict(dict(num_classes=K, num_stages=2, num_layers=4,
                       channels=6), **kwargs)
    return MultiStageRefinement(**kwargs).eval()


def random_logits(num_samples=2, num_frames=20, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return 3 * torch.randn(num_samples, K + 1, num_frames,
                           generator=generator)


def every_frame(logits):
    return torch.ones(logits.shape[0], logits.shape[2], dtype=torch.bool)


def hand_stage(stage, probs):
    """One stage of an unpadded sequence from its weights: 1x1 conv, then
    per layer ``i`` ``h + W2 (ReLU(W1 *_{2^i} h))`` (kernel 3), then 1x1
    conv."""
    hidden = F.conv1d(probs, stage.conv_in.weight, stage.conv_in.bias)
    for i, layer in enumerate(stage.layers):
        assert layer.dilated_conv.weight.shape[-1] == 3
        branch = F.relu(F.conv1d(hidden, layer.dilated_conv.weight,
                                 layer.dilated_conv.bias, padding=2**i,
                                 dilation=2**i))
        hidden = hidden + F.conv1d(branch, layer.pointwise_conv.weight,
                                   layer.pointwise_conv.bias)
    return F.conv1d(hidden, stage.conv_out.weight, stage.conv_out.bias)


def test_stages_refine_the_previous_stage_softmax_as_composed_by_hand():
    model = refinement()
    logits = random_logits()
    expected, previous = [], logits
    with torch.no_grad():
        for stage in model.stages:
            previous = hand_stage(stage, F.softmax(previous, dim=1))
            expected.append(previous)
        refined = model(logits, every_frame(logits))
    assert len(refined) == 2
    for ours, theirs in zip(refined, expected):
        assert ours.shape == (2, K + 1, 20)
        torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)


def test_dropout_drops_the_whole_residual_branch():
    """With every unit dropped each layer is the identity: what is left
    is the stage's two 1x1 convolutions."""
    model = refinement(num_stages=1, dropout=1.0).train()
    logits = random_logits()
    stage = model.stages[0]
    expected = stage.conv_out(stage.conv_in(F.softmax(logits, dim=1)))
    [refined] = model(logits, every_frame(logits))
    torch.testing.assert_close(refined, expected)


def test_smoothing_loss_by_hand_with_one_clipped_difference():
    # two rows; frame 0 is uniform, frame 1 nearly certain of row 1:
    # log p changes by -10 - log(1 + e^-10) + log 2 (clipped to 4) and by
    # log 2 - log(1 + e^-10)
    logits = torch.tensor([[[0.0, 0.0], [0.0, 10.0]]])
    mask = torch.ones(1, 2, dtype=torch.bool)
    small = math.log(2) - math.log1p(math.exp(-10))
    model = MultiStageRefinement(num_classes=1)
    assert model.smoothing_loss(logits, mask).item() == pytest.approx(
        (4.0**2 + small**2) / 2, rel=1e-6)


def test_smoothing_loss_follows_its_formula_over_real_pairs_only():
    logits = random_logits(num_frames=9) * 3
    logits[0, 0, 4] = 40.0  # a jump beyond τ
    mask = torch.ones(2, 9, dtype=torch.bool)
    mask[1, 6:] = False
    model = MultiStageRefinement(num_classes=K)
    expected = reference_truncated_mse(logits, mask, 4.0)
    assert expected < reference_truncated_mse(logits, mask, math.inf)
    assert model.smoothing_loss(logits, mask).item() == pytest.approx(
        expected, rel=1e-5)
    # padded frames, however wild, change nothing
    wild = logits.clone()
    wild[1, :, 6:] = 100 * torch.randn(K + 1, 3)
    assert model.smoothing_loss(wild, mask).item() == pytest.approx(
        expected, rel=1e-5)
    wider = MultiStageRefinement(num_classes=K, smooth_clip=1000.0)
    assert wider.smoothing_loss(logits, mask).item() == pytest.approx(
        reference_truncated_mse(logits, mask, math.inf), rel=1e-5)


def test_smoothing_loss_pulls_a_frame_towards_its_detached_predecessor():
    logits = torch.tensor([[[0.0, 1.0], [0.0, -1.0]]], requires_grad=True)
    model = MultiStageRefinement(num_classes=1)
    model.smoothing_loss(logits, torch.ones(1, 2, dtype=torch.bool)).backward()
    assert (logits.grad[:, :, 0] == 0).all()
    assert (logits.grad[:, :, 1] != 0).all()


def test_smoothing_loss_without_a_real_pair_is_zero_with_gradient():
    logits = random_logits(num_frames=4).requires_grad_()
    mask = torch.tensor([[True, False, True, False], [False] * 4])
    loss = MultiStageRefinement(num_classes=K).smoothing_loss(logits, mask)
    assert loss.item() == 0.0
    loss.backward()
    assert (logits.grad == 0).all()


def test_every_stage_is_supervised_by_the_given_frame_loss_and_smoothing():
    model = refinement(smooth_weight=0.3)
    stages = [random_logits(seed=s) for s in (1, 2, 3)]
    labels = torch.randint(0, K + 1, (2, 20))
    mask = every_frame(stages[0])
    mask[0, 15:] = False
    seen = []

    def frame_loss(logits, frame_labels, frame_mask):
        seen.append((logits, frame_labels, frame_mask))
        return logits[:, 0].sum()

    losses = model.loss(stages, labels, mask, frame_loss)
    assert list(losses) == [
        'loss_frame', 'loss_smooth', 'loss_frame_stage1',
        'loss_smooth_stage1', 'loss_frame_stage2', 'loss_smooth_stage2'
    ]
    for index, (logits, suffix) in enumerate(
            zip(stages, ('', '_stage1', '_stage2'))):
        assert seen[index][0] is logits
        assert seen[index][1] is labels and seen[index][2] is mask
        assert losses[f'loss_frame{suffix}'] == logits[:, 0].sum()
        assert losses[f'loss_smooth{suffix}'].item() == pytest.approx(
            0.3 * reference_truncated_mse(logits, mask, 4.0), rel=1e-5)


def test_padding_never_reaches_a_real_frame():
    """Each sample alone and unpadded gives its real frames the outputs of
    the padded batch, whatever the padding holds; padding gets no
    gradient and zero outputs."""
    model = refinement(num_layers=5)
    lengths = (20, 11)
    real = random_logits(num_frames=20)
    padded = real.clone()
    padded[1, :, 11:] = 50 * torch.randn(K + 1, 9)
    padded.requires_grad_()
    mask = torch.arange(20)[None, :] < torch.tensor(lengths)[:, None]
    stages = model(padded, mask)
    for n, length in enumerate(lengths):
        alone = real[n:n + 1, :, :length]
        with torch.no_grad():
            expected = model(alone, every_frame(alone))
        for ours, theirs in zip(stages, expected):
            torch.testing.assert_close(ours[n:n + 1, :, :length], theirs,
                                       rtol=0, atol=1e-5)
            assert (ours[n, :, length:] == 0).all()
    sum(stage[:, :, :11].sum() + stage[0].sum()
        for stage in stages).backward()
    assert (padded.grad[1, :, 11:] == 0).all()
    assert (padded.grad[1, :, :11] != 0).any()


def test_built_from_the_registry_and_bad_settings_refused():
    built = MODELS.build(dict(type='MultiStageRefinement', num_classes=K))
    assert isinstance(built, MultiStageRefinement)
    assert len(built.stages) == 3 and len(built.stages[0].layers) == 10
    assert built.stages[0].conv_in.out_channels == 64
    assert (built.smooth_weight, built.smooth_clip) == (0.15, 4.0)
    for bad in (dict(num_stages=0), dict(num_layers=0),
                dict(smooth_clip=0.0), dict(smooth_weight=-1.0)):
        with pytest.raises(ValueError):
            MultiStageRefinement(num_classes=K, **bad)

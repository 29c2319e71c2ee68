"""FramewiseLocalizationHead: logits shape, masked frame loss and weak
(multiple-instance) loss against hand computations, padding invariance,
and masked predictions that read the logits their supervision trains."""
import inspect
import math

import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.models import FramewiseLocalizationHead

K = 3


def log_softmax_at(column, label):
    """``-log softmax(column)[label]`` with plain floats."""
    return math.log(sum(math.exp(v) for v in column)) - column[label]


def hand_frame_loss(logits, labels, mask, weights=None):
    """Weighted mean over supervised frames, scalar loops."""
    numerator = denominator = 0.0
    for n in range(logits.shape[0]):
        for t in range(logits.shape[2]):
            label = int(labels[n, t])
            if not mask[n, t] or label < 0:
                continue
            w = 1.0 if weights is None else weights[label]
            numerator += w * log_softmax_at(logits[n, :, t].tolist(), label)
            denominator += w
    return numerator / denominator


def batch(num_frames=6, valid=(6, 4)):
    torch.manual_seed(0)
    logits = torch.randn(len(valid), K + 1, num_frames)
    labels = torch.randint(0, K + 1, (len(valid), num_frames))
    labels[0, 1] = -1
    labels[1, 0] = -1
    mask = torch.arange(num_frames)[None, :] < torch.tensor(valid)[:, None]
    return logits, labels, mask


def pad(logits, labels, mask, extra):
    """Append ``extra`` padded frames holding arbitrary logits and labels
    (out of range, -1, or background)."""
    n = logits.shape[0]
    garbage = torch.tensor([99, -1, K, 0] * extra)[:extra].repeat(n, 1)
    return (torch.cat([logits, 50 * torch.randn(n, K + 1, extra)], 2),
            torch.cat([labels, garbage], 1),
            torch.cat([mask, torch.zeros(n, extra, dtype=torch.bool)], 1))


def test_forward_gives_k_plus_one_logits_per_frame():
    head = FramewiseLocalizationHead(16, K)
    assert head(torch.randn(2, 16, 37)).shape == (2, K + 1, 37)
    built = MODELS.build(
        dict(type='FramewiseLocalizationHead', in_channels=16,
             num_classes=K))
    assert isinstance(built, FramewiseLocalizationHead)


def test_frame_loss_is_the_mean_over_supervised_frames():
    logits, labels, mask = batch()
    head = FramewiseLocalizationHead(8, K, loss_weight=2.0)
    expected = 2.0 * hand_frame_loss(logits, labels, mask)
    assert head.loss_frame(logits, labels,
                           mask).item() == pytest.approx(expected, rel=1e-5)


def test_frame_loss_class_weights_follow_the_weighted_mean():
    logits, labels, mask = batch()
    weights = [0.5, 2.0, 1.0, 0.25]
    head = FramewiseLocalizationHead(8, K, class_weight=weights)
    expected = hand_frame_loss(logits, labels, mask, weights)
    assert head.loss_frame(logits, labels,
                           mask).item() == pytest.approx(expected, rel=1e-5)


def test_padding_never_changes_the_frame_loss_or_gets_gradient():
    logits, labels, mask = batch()
    head = FramewiseLocalizationHead(8, K, class_weight=[1, 2, 3, 4])
    reference = head.loss_frame(logits, labels, mask)
    padded_logits, padded_labels, padded_mask = pad(logits, labels, mask, 5)
    padded_logits.requires_grad_(True)
    loss = head.loss_frame(padded_logits, padded_labels, padded_mask)
    assert loss.item() == reference.item()
    loss.backward()
    ignored = ~padded_mask | (padded_labels < 0)
    assert (padded_logits.grad.permute(0, 2, 1)[ignored] == 0).all()
    assert (padded_logits.grad.permute(0, 2, 1)[~ignored] != 0).any()


def test_unlabelled_frames_are_ignored():
    logits, labels, mask = batch()
    head = FramewiseLocalizationHead(8, K)
    changed = logits.clone()
    changed[0, :, 1] = 100.0
    changed[1, :, 0] = -100.0
    assert head.loss_frame(changed, labels, mask).item() == \
        head.loss_frame(logits, labels, mask).item()


def test_frame_loss_without_supervised_frames_is_zero_with_gradient():
    logits = torch.randn(1, K + 1, 4, requires_grad=True)
    labels = torch.tensor([[-1, -1, 2, 1]])
    mask = torch.tensor([[True, True, False, False]])
    loss = FramewiseLocalizationHead(8, K).loss_frame(logits, labels, mask)
    assert loss.item() == 0.0
    loss.backward()
    assert (logits.grad == 0).all()


def test_frame_loss_refuses_labels_above_background():
    logits, labels, mask = batch()
    labels[0, 0] = K + 1
    with pytest.raises(ValueError, match='background id'):
        FramewiseLocalizationHead(8, K).loss_frame(logits, labels, mask)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def test_weak_loss_equals_a_hand_computation():
    # Two classes + background; video 0 has 4 valid frames of 5, video 1
    # all 5. ratio 1/2: k = ceil(4 / 2) = 2 and ceil(5 / 2) = 3.
    logits = torch.tensor([
        [[1.0, 3.0, -1.0, 2.0, 100.0],     # class 0: top-2 of valid 3, 2
         [0.0, -2.0, 4.0, 0.5, 100.0],     # class 1: top-2 4, 0.5
         [9.0, 9.0, 9.0, 9.0, 9.0]],       # background: never used
        [[0.0, 1.0, 2.0, 3.0, 4.0],        # class 0: top-3 4, 3, 2
         [-1.0, -1.0, -2.0, -3.0, -4.0],   # class 1: top-3 -1, -1, -2
         [0.0, 0.0, 0.0, 0.0, 0.0]],
    ])
    mask = torch.tensor([[True] * 4 + [False], [True] * 5])
    video_labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    scores = [[2.5, 2.25], [3.0, -4 / 3]]
    terms = [
        -math.log(sigmoid(scores[0][0])), -math.log(1 - sigmoid(
            scores[0][1])), -math.log(1 - sigmoid(scores[1][0])),
        -math.log(sigmoid(scores[1][1]))
    ]
    head = FramewiseLocalizationHead(8, 2, weak_topk_ratio=0.5,
                                     loss_weight=3.0)
    torch.testing.assert_close(head.video_scores(logits, mask),
                               torch.tensor(scores))
    assert head.loss_weak(logits, video_labels, mask).item() == \
        pytest.approx(3.0 * sum(terms) / 4, rel=1e-6)


def test_weak_loss_never_takes_frame_labels():
    params = list(
        inspect.signature(FramewiseLocalizationHead.loss_weak).parameters)
    assert params == ['self', 'logits', 'video_labels', 'frame_mask']


def test_weak_topk_uses_valid_frames_only():
    torch.manual_seed(3)
    logits, _, mask = batch(num_frames=17, valid=(17, 9))
    video_labels = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    head = FramewiseLocalizationHead(8, K)  # ratio 1/8
    padded_logits, _, padded_mask = pad(logits, torch.zeros(2, 17).long(),
                                        mask, 6)
    padded_logits[:, :, 17:] = 1000.0
    torch.testing.assert_close(head.video_scores(padded_logits, padded_mask),
                               head.video_scores(logits, mask))
    # Brute force: k = ceil(17 / 8) = 3 and ceil(9 / 8) = 2.
    for n, (valid, k) in enumerate([(17, 3), (9, 2)]):
        for c in range(K):
            top = sorted(logits[n, c, :valid].tolist(), reverse=True)[:k]
            assert head.video_scores(logits, mask)[n, c].item() == \
                pytest.approx(sum(top) / k, rel=1e-6)
    assert head.loss_weak(padded_logits, video_labels, padded_mask).item() \
        == pytest.approx(head.loss_weak(logits, video_labels, mask).item())


def test_weak_loss_skips_videos_without_valid_frames():
    torch.manual_seed(4)
    logits = torch.randn(2, K + 1, 8)
    mask = torch.tensor([[True] * 8, [False] * 8])
    labels = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    head = FramewiseLocalizationHead(8, K)
    assert head.loss_weak(logits, labels, mask).item() == pytest.approx(
        head.loss_weak(logits[:1], labels[:1], mask[:1]).item())
    empty = head.loss_weak(logits, labels, torch.zeros(2, 8, dtype=bool))
    assert empty.item() == 0.0


def test_frame_probabilities_are_a_softmax_with_padding_zeroed():
    logits, _, mask = batch()
    probs = FramewiseLocalizationHead(8, K).frame_probabilities(logits, mask)
    for n in range(2):
        for t in range(6):
            if not mask[n, t]:
                assert (probs[n, :, t] == 0).all()
                continue
            column = logits[n, :, t].tolist()
            total = sum(math.exp(v) for v in column)
            assert probs[n, :, t].tolist() == pytest.approx(
                [math.exp(v) / total for v in column], rel=1e-5)


def sigmoid(value):
    return 1 / (1 + math.exp(-value))


def test_weak_frame_probabilities_are_action_sigmoids_and_derived_background():
    """What ``loss_weak`` trains: one sigmoid per action row; background is
    ``1 - max_k sigmoid(a_k)``, and the background logit is never read."""
    logits, _, mask = batch()
    head = FramewiseLocalizationHead(8, K)
    probs = head.frame_probabilities(logits, mask, 'weak')
    for background_logit in (-40.0, 40.0):
        moved = logits.clone()
        moved[:, K] = background_logit
        assert torch.equal(head.frame_probabilities(moved, mask, 'weak'),
                           probs)
    for n in range(2):
        for t in range(6):
            if not mask[n, t]:
                assert (probs[n, :, t] == 0).all()
                continue
            actions = [sigmoid(v) for v in logits[n, :K, t].tolist()]
            assert probs[n, :, t].tolist() == pytest.approx(
                actions + [1 - max(actions)], rel=1e-5)


def test_weak_loss_gives_no_gradient_to_what_weak_prediction_ignores():
    """The rows the weak loss trains are the rows weak prediction reads."""
    logits, _, mask = batch()
    head = FramewiseLocalizationHead(8, K)
    for loss_of in (
            lambda x: head.loss_weak(x, torch.tensor([[1., 0., 1.],
                                                      [0., 1., 0.]]), mask),
            lambda x: head.frame_probabilities(x, mask, 'weak').sum()):
        x = logits.clone().requires_grad_()
        loss_of(x).backward()
        assert (x.grad[:, K] == 0).all()
        assert (x.grad[:, :K] != 0).any()


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match='weak_topk_ratio'):
        FramewiseLocalizationHead(8, K, weak_topk_ratio=0)
    with pytest.raises(ValueError, match='class_weight'):
        FramewiseLocalizationHead(8, K, class_weight=[1.0] * K)


def test_data_sample_loss_refuses_an_unknown_supervision():
    head = FramewiseLocalizationHead(8, K)
    with pytest.raises(ValueError, match="supervision must be one of "
                       r"\('frame', 'weak'\), got 'video'"):
        head.loss(torch.zeros(1, 8, 6), [], supervision='video')
    with pytest.raises(ValueError, match="got 'video'"):
        head.frame_probabilities(torch.zeros(1, K + 1, 6),
                                 torch.ones(1, 6, dtype=bool), 'video')

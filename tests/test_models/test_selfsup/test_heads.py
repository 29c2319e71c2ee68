"""GlobalProjectionHead and DenseProjectionHead: temporal mean or snippet
pooling, then the projection to unit vectors, against hand computation."""
import pytest
import torch
import torch.nn.functional as F

from snippet_plugin.models import DenseProjectionHead, GlobalProjectionHead


def test_global_head_is_mean_over_time_then_linear_then_unit_norm():
    head = GlobalProjectionHead(in_channels=6, out_channels=4)
    features = torch.randn(3, 6, 9)
    expected = features.mean(dim=2) @ head.projection.weight.t(
    ) + head.projection.bias
    expected = expected / expected.norm(dim=1, keepdim=True)
    output = head(features)
    assert output.shape == (3, 4)
    torch.testing.assert_close(output, expected)


def test_global_head_with_hidden_channels_is_an_mlp():
    head = GlobalProjectionHead(in_channels=6, out_channels=4,
                                hidden_channels=5)
    first, _, second = head.projection
    features = torch.randn(2, 6, 7)
    hidden = torch.relu(first(features.mean(dim=2)))
    torch.testing.assert_close(head(features),
                               F.normalize(second(hidden), dim=1))


def reference_snippet_pool(features, num_snippets):
    """Bin i averages frames floor(i*T/S) .. ceil((i+1)*T/S)-1."""
    num_frames = features.shape[2]
    bins = []
    for i in range(num_snippets):
        start = (i * num_frames) // num_snippets
        end = -(-((i + 1) * num_frames) // num_snippets)
        bins.append(features[:, :, start:end].mean(dim=2))
    return torch.stack(bins, dim=2)


@pytest.mark.parametrize('num_frames, num_snippets', [(38, 19), (10, 3),
                                                      (7, 7)])
def test_dense_head_pools_snippets_and_projects_them_to_unit_vectors(
        num_frames, num_snippets):
    head = DenseProjectionHead(in_channels=6, out_channels=4,
                               num_snippets=num_snippets)
    features = torch.randn(2, 6, num_frames)
    pooled = head.pool(features)
    torch.testing.assert_close(pooled,
                               reference_snippet_pool(features, num_snippets))
    first, _, second = head.projection
    assert first.in_channels == first.out_channels == 6  # hidden = in
    assert first.kernel_size == second.kernel_size == (1, )
    embeddings = head(features)
    assert embeddings.shape == (2, 4, num_snippets)
    torch.testing.assert_close(embeddings.norm(dim=1),
                               torch.ones(2, num_snippets))
    by_snippet = torch.stack([
        F.normalize(second.weight[..., 0] @ torch.relu(
            first.weight[..., 0] @ pooled[n, :, s] + first.bias) +
                    second.bias,
                    dim=0) for n in range(2) for s in range(num_snippets)
    ]).reshape(2, num_snippets, 4).transpose(1, 2)
    torch.testing.assert_close(embeddings, by_snippet)


@pytest.mark.parametrize('num_frames, num_snippets', [(38, 19), (10, 3),
                                                      (7, 7), (38, 38)])
def test_dense_head_pools_exactly_as_adaptive_pooling_up_to_t_snippets(
        num_frames, num_snippets):
    """``S <= T`` is adaptive average pooling, bit for bit."""
    head = DenseProjectionHead(in_channels=6, num_snippets=num_snippets)
    features = torch.randn(2, 6, num_frames)
    assert torch.equal(head.pool(features),
                       F.adaptive_avg_pool1d(features, num_snippets))


def test_dense_head_interpolates_snippet_centres_beyond_t_steps():
    """T = 3 steps, S = 5 snippets: centres x_i = 0.6 i - 0.2 in steps,
    i.e. -0.2 (clamped to 0), 0.4, 1.0, 1.6, 2.2 (clamped to 2)."""
    head = DenseProjectionHead(in_channels=2, num_snippets=5)
    steps = torch.tensor([[[1.0, 4.0, -2.0], [0.0, 10.0, 20.0]]])
    f0, f1, f2 = steps[0].unbind(dim=1)
    expected = torch.stack([
        f0, 0.6 * f0 + 0.4 * f1, f1, 0.4 * f1 + 0.6 * f2, f2
    ], dim=1)[None]
    torch.testing.assert_close(head.pool(steps), expected)


def test_dense_head_gives_38_snippets_of_a_19_step_feature():
    """Tab. 8's N = 38 on the 19 steps of a 150-frame view: snippet
    centres fall at a quarter and three quarters between steps."""
    head = DenseProjectionHead(in_channels=6, out_channels=4,
                               num_snippets=38)
    features = torch.randn(2, 6, 19)
    pooled = head.pool(features)
    assert pooled.shape == (2, 6, 38)
    torch.testing.assert_close(pooled[..., 0], features[..., 0])
    torch.testing.assert_close(pooled[..., 37], features[..., 18])
    for j in range(18):
        torch.testing.assert_close(
            pooled[..., 2 * j + 1],
            0.75 * features[..., j] + 0.25 * features[..., j + 1])
        torch.testing.assert_close(
            pooled[..., 2 * j + 2],
            0.25 * features[..., j] + 0.75 * features[..., j + 1])
    embeddings = head(features)
    assert embeddings.shape == (2, 4, 38)
    torch.testing.assert_close(embeddings.norm(dim=1), torch.ones(2, 38))


# ---- padding: masked pooling ------------------------------------------------


def test_global_head_pools_the_real_steps_only():
    head = GlobalProjectionHead(in_channels=2, out_channels=3)
    features = torch.tensor([[[1., 2., 3., 100.], [4., 6., 8., -100.]]])
    mask = torch.tensor([[True, True, True, False]])
    hand_mean = torch.tensor([[2., 6.]])  # (1+2+3)/3, (4+6+8)/3
    torch.testing.assert_close(
        head(features, mask), F.normalize(head.projection(hand_mean), dim=1))


def test_dense_head_pools_each_bin_over_its_real_steps():
    """T = 7, S = 3: bins [0, 3), [2, 5), [4, 7). Real steps 0-4: bin 2
    keeps step 4 alone; with real steps 0-3 it keeps none and is invalid."""
    head = DenseProjectionHead(in_channels=1, num_snippets=3)
    features = torch.tensor([[[1., 2., 4., 8., 16., 500., 900.]]])
    five_real = torch.tensor([[True] * 5 + [False] * 2])
    pooled = head.pool(features, five_real)
    torch.testing.assert_close(
        pooled, torch.tensor([[[(1 + 2 + 4) / 3, (4 + 8 + 16) / 3, 16.]]]))
    assert head.snippet_mask(five_real).tolist() == [[True, True, True]]
    four_real = torch.tensor([[True] * 4 + [False] * 3])
    torch.testing.assert_close(
        head.pool(features, four_real),
        torch.tensor([[[(1 + 2 + 4) / 3, (4 + 8) / 2, 0.]]]))
    assert head.snippet_mask(four_real).tolist() == [[True, True, False]]
    assert head.snippet_mask(None) is None


def test_masked_pooling_refuses_a_mask_that_does_not_fit():
    head = DenseProjectionHead(in_channels=2, num_snippets=2)
    with pytest.raises(ValueError, match=r'step mask \(1, 5\) does not fit'):
        head.pool(torch.randn(1, 2, 6), torch.ones(1, 5, dtype=torch.bool))


def test_interpolated_snippets_next_to_padding_take_their_real_step():
    """T = 3 steps, S = 5, step 2 is padding: snippet 3 (centre 1.6) is
    0.4 f1 + 0.6 f2 with f2 weighing 0, i.e. f1; snippet 4 (centre 2.2,
    clamped to step 2) has no real step."""
    head = DenseProjectionHead(in_channels=1, num_snippets=5)
    steps = torch.tensor([[[1.0, 4.0, 999.0]]])
    mask = torch.tensor([[True, True, False]])
    torch.testing.assert_close(
        head.pool(steps, mask),
        torch.tensor([[[1.0, 0.6 * 1 + 0.4 * 4, 4.0, 4.0, 0.0]]]))
    assert head.snippet_mask(mask).tolist() == [[True] * 4 + [False]]


# ---- the frames each snippet pools ------------------------------------------


def reference_pooled_steps(num_steps, num_snippets):
    """Steps snippet i pools: its adaptive bin for S <= T, else the steps
    around its centre x_i = (i + 0.5) T / S - 0.5 (clamped) with a weight."""
    pooled = []
    for i in range(num_snippets):
        if num_snippets <= num_steps:
            start = (i * num_steps) // num_snippets
            end = -(-((i + 1) * num_steps) // num_snippets)
            pooled.append(set(range(start, end)))
            continue
        centre = min(max((i + 0.5) * num_steps / num_snippets - 0.5, 0),
                     num_steps - 1)
        low = int(centre)
        pooled.append({low} if centre == low else {low, low + 1})
    return pooled


@pytest.mark.parametrize('num_frames, stride, num_snippets', [
    (128, 8, 8), (31, 8, 3), (13, 4, 3), (16, 4, 7), (150, 8, 38), (5, 1, 5),
])
def test_snippet_frames_are_the_frames_of_the_steps_the_pooling_weighs(
        num_frames, stride, num_snippets):
    generator = torch.Generator().manual_seed(num_frames)
    frame_inds = torch.randint(0, 500, (2, num_frames), generator=generator)
    frame_inds[1, -3:] = -1  # padding
    head = DenseProjectionHead(in_channels=2, num_snippets=num_snippets)
    frames = head.snippet_frames(frame_inds, stride)
    assert frames.shape == (2, num_snippets, num_frames)
    assert frames.dtype == torch.long
    num_steps = -(-num_frames // stride)
    for i, steps in enumerate(reference_pooled_steps(num_steps,
                                                     num_snippets)):
        pooled = torch.tensor([t // stride in steps
                               for t in range(num_frames)])
        expected = torch.where(pooled, frame_inds, -1)
        assert torch.equal(frames[:, i], expected), i

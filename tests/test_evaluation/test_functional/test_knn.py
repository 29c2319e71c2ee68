"""The KNN maths: blocked top-k search and the bounded random frame subset,
against brute force and hand-drawn keys; frame features of one level and of
fused levels against a hand computation (the loop is tested in
tests/test_engine/test_loops/test_knn_localization.py)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import fused_frame_rows, linear_resize, run_on_two_gloo_ranks
from snippet_plugin.evaluation.functional.knn import (RandomFrameSubset,
                                                      frame_level_features,
                                                      knn_topk)


@pytest.mark.parametrize('chunk_size', [1, 3, 7, 50, 10000])
def test_chunked_topk_equals_the_full_similarity_topk(chunk_size):
    generator = torch.Generator().manual_seed(1)
    query = F.normalize(torch.randn(23, 5, generator=generator), dim=1)
    memory = F.normalize(torch.randn(41, 5, generator=generator), dim=1)
    sims, inds = knn_topk(query, memory, k=6, chunk_size=chunk_size)
    full = (query.double() @ memory.double().T).numpy()
    expected = np.argsort(-full, axis=1)[:, :6]
    assert inds.tolist() == expected.tolist()
    np.testing.assert_allclose(sims.numpy(),
                               np.take_along_axis(full, expected, 1),
                               rtol=1e-6)


def test_k_above_the_memory_size_takes_every_memory_frame():
    query, memory = torch.eye(3)[:1], torch.eye(3)
    sims, inds = knn_topk(query, memory, k=10, chunk_size=2)
    assert inds[0, 0] == 0 and sorted(inds[0].tolist()) == [0, 1, 2]
    assert sims[0].tolist() == [1.0, 0.0, 0.0]


def test_frame_subset_is_the_bottom_k_of_seeded_keys():
    batches = [5, 1, 17, 40, 3, 64, 9]
    subset = RandomFrameSubset(capacity=20, seed=7)
    ids = torch.arange(sum(batches))
    for chunk in ids.split(batches):
        subset.add(chunk[:, None].float(), chunk)
    memory = subset.gather()

    generator = torch.Generator().manual_seed(7)
    keys = torch.cat([torch.rand(n, generator=generator, dtype=torch.float64)
                      for n in batches])
    expected = np.sort(np.argsort(keys.numpy())[:20])
    assert len(memory.labels) == 20
    assert np.sort(memory.labels.numpy()).tolist() == expected.tolist()
    assert torch.equal(memory.features[:, 0].long(), memory.labels)


def test_frame_subset_without_capacity_keeps_everything():
    subset = RandomFrameSubset(capacity=None, seed=0)
    for chunk in torch.arange(30).split(7):
        subset.add(chunk[:, None].float(), chunk)
    assert sorted(subset.gather().labels.tolist()) == list(range(30))


RANK_BODY = '''
import os
import torch


def run(rank, out):
    from snippet_plugin.evaluation.functional.knn import RandomFrameSubset
    ids = torch.arange(30) if rank == 0 else 100 + torch.arange(45)
    subset = RandomFrameSubset(capacity=20, seed=5)
    for chunk in ids.split(8):
        subset.add(chunk[:, None].float().repeat(1, 3), chunk)
    memory = subset.gather()
    torch.save([memory.labels, memory.features],
               os.path.join(out, f'{rank}.pt'))
'''


def test_ranks_share_the_bottom_k_of_all_ranks_frames(tmp_path):
    """Two gloo ranks (30 and 45 frames) end with the same memory: the 20
    frames of smallest key, keys drawn per rank with seed + rank."""
    run_on_two_gloo_ranks(tmp_path, RANK_BODY)
    keys, ids = [], []
    for rank, frames, first_id in ((0, 30, 0), (1, 45, 100)):
        generator = torch.Generator().manual_seed(5 + rank)
        keys += [
            torch.rand(len(chunk), generator=generator, dtype=torch.float64)
            for chunk in torch.arange(frames).split(8)
        ]
        ids.append(first_id + torch.arange(frames))
    keys, ids = torch.cat(keys), torch.cat(ids)
    expected = sorted(ids[keys.argsort()[:20]].tolist())
    for rank in range(2):
        labels, features = torch.load(tmp_path / f'{rank}.pt')
        assert sorted(labels.tolist()) == expected
        assert torch.equal(features[:, 0].long(), labels)


# ---- frame features: one level, fused levels --------------------------------

ODD_FRAMES = 7


class KnownLevels:
    """A model whose ``extract_feat`` returns three fixed levels of 3, 5 and
    2 channels at 7, 4 (ceil(7 / 2)) and 1 frames, two samples each."""

    def __init__(self):
        generator = torch.Generator().manual_seed(3)
        self.levels = tuple(
            torch.randn(2, channels, frames, generator=generator)
            for channels, frames in ((3, ODD_FRAMES), (5, 4), (2, 1)))

    def data_preprocessor(self, data_batch, training):
        return data_batch

    def extract_feat(self, inputs):
        return self.levels


def features_of(model, level, level_weights=None):
    """``frame_level_features`` of a 7-frame batch of two samples."""
    batch = dict(inputs=torch.zeros(2, 1, ODD_FRAMES, 25, 3),
                 data_samples=['a', 'b'])
    features, samples = frame_level_features(model, batch, level,
                                             level_weights=level_weights)
    assert samples == ['a', 'b']
    return features


@pytest.mark.parametrize('level, weights', [
    ([0, 1, 2], None), ([2, 0], None), ((0, 1, 2), (1.0, 2.0, 0.5)),
    ([-1, 1], [3, 1])])
def test_fused_features_are_the_hand_fusion_of_the_levels(level, weights):
    model = KnownLevels()
    features = features_of(model, level, weights)
    widths = sum(model.levels[i].shape[1] for i in level)
    assert features.shape == (2, ODD_FRAMES, widths)
    for sample in range(2):
        expected = fused_frame_rows(
            [model.levels[i][sample].numpy() for i in level], ODD_FRAMES,
            weights)
        np.testing.assert_allclose(features[sample].numpy(), expected,
                                   atol=1e-6)


def test_fused_cosine_is_the_weighted_mean_of_the_level_cosines():
    """Each level weighs its weight in the similarity, whatever its
    channel count (3, 5 and 2 here)."""
    model = KnownLevels()
    weights = np.array([1.0, 2.0, 0.5])
    fused = features_of(model, [0, 1, 2], weights.tolist())
    fused = torch.cat(list(fused)).double().numpy()  # both samples' frames
    expected = 0
    for level, weight in zip(model.levels, weights):
        frames = np.concatenate([
            linear_resize(values.numpy(), ODD_FRAMES).T for values in level])
        unit = frames / np.linalg.norm(frames, axis=1, keepdims=True)
        expected = expected + weight * (unit @ unit.T)
    np.testing.assert_allclose(fused @ fused.T, expected / weights.sum(),
                               atol=1e-6)


def test_one_level_is_the_resized_normalised_level_bit_for_bit():
    """An int, a sequence of one and the negative index give the same
    features as interpolating and normalising that one level."""
    model = KnownLevels()
    reference = F.normalize(
        F.interpolate(model.levels[1], size=ODD_FRAMES, mode='linear',
                      align_corners=False), dim=1).transpose(1, 2)
    for level in (1, [1], -2, (-2, )):
        assert torch.equal(features_of(model, level), reference), level
    hand = linear_resize(model.levels[1][0].numpy(), ODD_FRAMES).T
    np.testing.assert_allclose(
        reference[0].numpy(),
        hand / np.linalg.norm(hand, axis=1, keepdims=True), atol=1e-6)
    assert torch.equal(features_of(model, 0),
                       F.normalize(model.levels[0], dim=1).transpose(1, 2))


@pytest.mark.parametrize('level, weights, message', [
    (3, None, r'level 3 does not exist: the model returns 3 level'),
    ([0, 5], None, r'level 5 does not exist: the model returns 3 level'),
    ([-4, 0], None, r'level -4 does not exist: the model returns 3 level'),
    ([0, -3], None, r'level \[0, -3\] names a level twice'),
    ([], None, r'non-empty sequence of ints, got \[\]'),
    ('0', None, r"non-empty sequence of ints, got '0'"),
    (True, None, r'non-empty sequence of ints, got True'),
    ([0, 1.0], None, r'non-empty sequence of ints'),
    ([0, 1], [1.0], r'one positive finite weight per level of \[0, 1\]'),
    ([0, 1], [1.0, 0.0], r'positive finite weight'),
    ([0, 1], [1.0, float('nan')], r'positive finite weight'),
])
def test_bad_levels_are_refused_by_name(level, weights, message):
    with pytest.raises(ValueError, match=message):
        features_of(KnownLevels(), level, weights)

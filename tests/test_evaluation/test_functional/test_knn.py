"""The KNN maths: blocked top-k search and the bounded random frame subset,
against brute force and hand-drawn keys (the loop is tested in
tests/test_knn_localization_loop.py)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import run_on_two_gloo_ranks
from snippet_plugin.evaluation.functional.knn import (RandomFrameSubset,
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

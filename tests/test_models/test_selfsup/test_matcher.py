"""SnippetMatcher: the cosine or dot-product argmax between two views' snippets
equals brute force."""
import math

import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.models import SnippetMatcher


def brute_force_match(query_feats, key_feats, cosine):
    result = []
    for q_sample, k_sample in zip(query_feats, key_feats):
        row = []
        for i in range(q_sample.shape[1]):
            best, best_j = -math.inf, None
            for j in range(k_sample.shape[1]):
                a, b = q_sample[:, i].tolist(), k_sample[:, j].tolist()
                score = sum(x * y for x, y in zip(a, b))
                if cosine:
                    score /= math.sqrt(sum(x * x for x in a)) * math.sqrt(
                        sum(y * y for y in b))
                if score > best:
                    best, best_j = score, j
            row.append(best_j)
        result.append(row)
    return torch.tensor(result)


@pytest.mark.parametrize('similarity', ['cosine', 'dot'])
@pytest.mark.parametrize('num_query, num_key', [(5, 3), (3, 7), (4, 4)])
def test_matcher_equals_brute_force_argmax(similarity, num_query, num_key):
    torch.manual_seed(1)
    query_feats = torch.randn(3, 6, num_query) * torch.rand(3, 1, num_query)
    key_feats = torch.randn(3, 6, num_key) * 5 * torch.rand(3, 1, num_key)
    matches = SnippetMatcher(similarity).match(query_feats, key_feats)
    assert matches.dtype == torch.long and matches.shape == (3, num_query)
    assert torch.equal(
        matches,
        brute_force_match(query_feats, key_feats, similarity == 'cosine'))


def test_cosine_and_dot_matching_differ_when_norms_differ():
    query_feats = torch.tensor([[[1.0], [0.0]]])  # (1, 2, 1)
    key_feats = torch.tensor([[[10.0, 1.0], [10.0, 0.0]]])  # k0 long
    # cosine: k0 0.707, k1 1.0 -> 1 ; dot: k0 10, k1 1 -> 0
    cosine = SnippetMatcher('cosine').match(query_feats, key_feats)
    dot = SnippetMatcher('dot').match(query_feats, key_feats)
    assert cosine.tolist() == [[1]]
    assert dot.tolist() == [[0]]


def test_matcher_defaults_to_cosine_and_rejects_unknown_similarity():
    assert MODELS.build(dict(type='SnippetMatcher')).similarity == 'cosine'
    with pytest.raises(ValueError, match='similarity'):
        SnippetMatcher('l2')


def test_invalid_key_snippets_are_never_matched():
    generator = torch.Generator().manual_seed(2)
    query_feats = torch.randn(2, 4, 5, generator=generator)
    key_feats = torch.randn(2, 4, 4, generator=generator)
    key_feats[:, :, 3] = query_feats[:, :, 0]  # the best match of query 0
    key_valid = torch.tensor([[True, True, True, False],
                              [False, True, True, True]])
    matches = SnippetMatcher('cosine').match(query_feats, key_feats,
                                             key_valid=key_valid)
    for n, valid in enumerate(key_valid):
        allowed = torch.nonzero(valid).flatten()
        expected = brute_force_match(query_feats[n:n + 1],
                                     key_feats[n:n + 1, :, allowed], True)[0]
        assert matches[n].tolist() == allowed[expected].tolist()
    assert matches[0, 0] != 3 and matches[1, 0] == 3

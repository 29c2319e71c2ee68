"""SnippetMatcher: the cosine or dot-product argmax between two views'
snippets, and the key snippet sharing the most original frames, equal brute
force."""
import math

import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.models import DenseProjectionHead, SnippetMatcher
from snippet_plugin.models.selfsup.matcher import shared_frame_counts


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


# ---- match='overlap': the key snippet sharing the most original frames ------


def brute_force_shared(query_frames, key_frames):
    """``|F_i ∩ F_j|`` per sample from Python sets, -1 left out."""
    return [[[len(set(q.tolist()) & set(k.tolist()) - {-1})
              for k in key_sample] for q in query_sample]
            for query_sample, key_sample in zip(query_frames, key_frames)]


def brute_force_overlap_match(query_feats, key_feats, query_frames,
                              key_frames):
    """Most shared frames; among ties the most cosine-similar; no shared
    frame at all: the most similar of all key snippets."""
    result = []
    for n, shared in enumerate(brute_force_shared(query_frames, key_frames)):
        row = []
        for i, counts in enumerate(shared):
            most = max(counts)
            candidates = [j for j, c in enumerate(counts)
                          if c == most or most == 0]
            best = brute_force_match(query_feats[n:n + 1, :, i:i + 1],
                                     key_feats[n:n + 1, :, candidates],
                                     True)[0, 0]
            row.append(candidates[best])
        result.append(row)
    return result


def random_snippet_frames(generator, num_samples, num_snippets, length,
                          high):
    """Original frames in ``[-1, high)``: repeats, and -1 (none) often."""
    frames = torch.randint(-1, high, (num_samples, num_snippets, length),
                           generator=generator)
    return frames.masked_fill(
        torch.rand(frames.shape, generator=generator) < 0.3, -1)


@pytest.mark.parametrize('num_query, num_key, length', [(5, 4, 9), (3, 7, 2),
                                                         (1, 1, 1)])
def test_shared_frame_counts_equal_set_intersections(num_query, num_key,
                                                     length):
    generator = torch.Generator().manual_seed(num_query * num_key)
    query_frames = random_snippet_frames(generator, 3, num_query, length, 12)
    key_frames = random_snippet_frames(generator, 3, num_key, length + 3, 12)
    query_frames[0, 0] = -1  # a snippet of padding only
    counts = shared_frame_counts(query_frames, key_frames)
    assert counts.shape == (3, num_query, num_key)
    assert counts.tolist() == brute_force_shared(query_frames, key_frames)


@pytest.mark.parametrize('seed', range(4))
def test_overlap_match_equals_brute_force(seed):
    generator = torch.Generator().manual_seed(seed)
    query_feats = torch.randn(4, 6, 5, generator=generator)
    key_feats = torch.randn(4, 6, 6, generator=generator)
    # few distinct frames: many ties, and snippets that share nothing
    query_frames = random_snippet_frames(generator, 4, 5, 4, 10)
    key_frames = random_snippet_frames(generator, 4, 6, 4, 10)
    matches = SnippetMatcher(match='overlap').match(
        query_feats, key_feats, query_frames=query_frames,
        key_frames=key_frames)
    assert matches.tolist() == brute_force_overlap_match(
        query_feats, key_feats, query_frames, key_frames)


def test_overlap_ignores_similarity_unless_no_frame_is_shared():
    """Query 0 shares frames with key 1 only, although key 0 is its twin;
    query 1 shares nothing, so similarity picks its twin, key 2."""
    generator = torch.Generator().manual_seed(5)
    key_feats = torch.randn(1, 4, 3, generator=generator)
    query_feats = key_feats[:, :, [0, 2]].clone()
    query_frames = torch.tensor([[[3, 4, 5, -1], [20, 21, -1, -1]]])
    key_frames = torch.tensor([[[0, 1, 2, -1], [4, 5, 6, 7], [8, 9, -1, -1]]])
    overlap = SnippetMatcher(match='overlap').match(
        query_feats, key_feats, query_frames=query_frames,
        key_frames=key_frames)
    assert overlap.tolist() == [[1, 2]]
    assert SnippetMatcher().match(query_feats, key_feats,
                                  query_frames=query_frames,
                                  key_frames=key_frames).tolist() == [[0, 2]]


def test_a_padding_frame_is_shared_by_nothing():
    """Both views pad with -1; query 0's only real frame is in key 1."""
    query_feats = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    key_feats = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    query_frames = torch.tensor([[[-1, -1, 7], [-1, -1, -1]]])
    key_frames = torch.tensor([[[-1, -1, -1], [7, -1, -1]]])
    assert SnippetMatcher(match='overlap').match(
        query_feats, key_feats, query_frames=query_frames,
        key_frames=key_frames).tolist() == [[1, 1]]


def test_overlap_on_the_pooled_spans_of_shifted_views_of_odd_length():
    """Views of 13 frames, stride 4 (4 steps, the last of one frame), 3
    snippets (overlapping adaptive bins); the query view starts 5 frames
    later than the key view, whose last 2 frames are padding. The spans
    come from the dense head (checked here against the bins); then query
    snippet 0 has one best key snippet, snippet 1 a tie and snippet 2 no
    shared frame (similarity decides both)."""
    head = DenseProjectionHead(in_channels=2, num_snippets=3)
    query_inds = (torch.arange(13) + 5).unsqueeze(0)
    key_inds = torch.arange(13).masked_fill(torch.arange(13) >= 11,
                                            -1).unsqueeze(0)
    query_frames = head.snippet_frames(query_inds, 4)
    key_frames = head.snippet_frames(key_inds, 4)
    # bins of 4 steps into 3 snippets: steps {0, 1}, {1, 2}, {2, 3}
    spans = [range(0, 8), range(4, 12), range(8, 13)]
    for frames, inds in ((query_frames, query_inds), (key_frames, key_inds)):
        for snippet, span in zip(frames[0], spans):
            expected = [int(inds[0, t]) if t in span else -1
                        for t in range(13)]
            assert snippet.tolist() == expected
    assert brute_force_shared(query_frames, key_frames)[0] == [
        [3, 6, 3], [0, 2, 2], [0, 0, 0]]
    for seed in range(4):
        generator = torch.Generator().manual_seed(seed)
        query_feats, key_feats = torch.randn(2, 1, 2, 3, generator=generator)
        matches = SnippetMatcher(match='overlap').match(
            query_feats, key_feats, query_frames=query_frames,
            key_frames=key_frames)
        assert matches[0, 0] == 1
        assert matches.tolist() == brute_force_overlap_match(
            query_feats, key_feats, query_frames, key_frames)


def test_overlap_never_matches_an_invalid_key_snippet():
    query_frames = torch.tensor([[[0, 1, 2]]])
    key_frames = torch.tensor([[[0, 1, -1], [5, 6, 7]]])
    matches = SnippetMatcher(match='overlap').match(
        torch.ones(1, 2, 1), torch.ones(1, 2, 2),
        key_valid=torch.tensor([[True, True]]), query_frames=query_frames,
        key_frames=key_frames)
    assert matches.tolist() == [[0]]
    matches = SnippetMatcher(match='overlap').match(
        torch.ones(1, 2, 1), torch.ones(1, 2, 2),
        key_valid=torch.tensor([[False, True]]),
        query_frames=torch.tensor([[[5, 8, 9]]]), key_frames=key_frames)
    assert matches.tolist() == [[1]]


def test_overlap_needs_frames_and_unknown_matches_are_refused():
    feats = torch.randn(1, 2, 3)
    with pytest.raises(ValueError, match='frame_inds'):
        SnippetMatcher(match='overlap').match(feats, feats)
    with pytest.raises(ValueError, match='match must be one of'):
        SnippetMatcher(match='nearest')
    matcher = MODELS.build(dict(type='SnippetMatcher', match='overlap'))
    assert matcher.match_by == 'overlap'
    assert 'overlap' in repr(matcher)
    assert SnippetMatcher().match_by == 'similarity'


def test_a_position_code_steers_similarity_matching_but_not_overlap():
    """Snippet features that encode only where a snippet sits in the window
    (the same code in both views) pair query snippet i with key snippet i
    by similarity, although the key view starts two snippets later; overlap
    matching pairs the snippets that show the same frames (issue 21)."""
    code = torch.randn(1, 8, 6, generator=torch.Generator().manual_seed(0))
    frames = torch.arange(24).view(1, 6, 4)  # snippet i: frames 4i..4i+3
    query_frames = torch.full((1, 6, 24), -1)
    key_frames = torch.full((1, 6, 24), -1)
    for i in range(6):
        query_frames[0, i, 4 * i:4 * i + 4] = frames[0, i]
        key_frames[0, i, 4 * i:4 * i + 4] = frames[0, i] + 8
    similarity = SnippetMatcher().match(code, code)
    overlap = SnippetMatcher(match='overlap').match(
        code, code, query_frames=query_frames, key_frames=key_frames)
    assert similarity.tolist() == [[0, 1, 2, 3, 4, 5]]
    # query snippets 0 and 1 share no frame: similarity decides
    assert overlap.tolist() == [[0, 1, 0, 1, 2, 3]]

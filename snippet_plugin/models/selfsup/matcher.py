"""Cross-view snippet correspondence (Eq. 4)."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from .padding import check_step_mask


@MODELS.register_module()
class SnippetMatcher:
    """For every query snippet, the index of its positive key snippet.

    * ``match='similarity'`` (the paper): the most similar key snippet,
      ``j* = argmax_j sim(f_i, f_j)`` (Eq. 4).
    * ``match='overlap'``: the key snippet that shares the most original
      frames with the query snippet, ``j* = argmax_j |F_i ∩ F_j|``, with
      ``F_i`` the distinct original frames (the views' ``frame_inds``; -1,
      padding, never counts) that snippet ``i`` pools
      (:meth:`DenseProjectionHead.snippet_frames`). The two views are
      independent crops of one window, so the frames say which key snippet
      shows what the query snippet shows. Similarity decides among key
      snippets sharing equally many frames, and is the fallback for a query
      snippet that shares no frame with any key snippet. Why: similarity
      matching rewards features that encode where a snippet sits in the
      window (issue 21, ``docs/methods.md``, Stage 1).

    Either way only key snippets that hold real frames may be matched when a
    key snippet mask is given (padding never serves as a positive).

    Args:
        similarity (str): ``'cosine'`` (the paper) or ``'dot'`` (raw dot
            product, what the public code computes). Defaults to
            ``'cosine'``.
        match (str): ``'similarity'`` (the paper) or ``'overlap'``.
            Defaults to ``'similarity'``.

    Attributes:
        match_by (str): The ``match`` argument (:meth:`match` is the
            method).
    """

    SIMILARITIES = ('cosine', 'dot')
    MATCHES = ('similarity', 'overlap')

    def __init__(self,
                 similarity: str = 'cosine',
                 match: str = 'similarity') -> None:
        if similarity not in self.SIMILARITIES:
            raise ValueError(f'similarity must be one of {self.SIMILARITIES},'
                             f' got {similarity!r}')
        if match not in self.MATCHES:
            raise ValueError(f'match must be one of {self.MATCHES}, got '
                             f'{match!r}')
        self.similarity = similarity
        self.match_by = match

    @torch.no_grad()
    def match(self,
              query_feats: torch.Tensor,
              key_feats: torch.Tensor,
              key_valid: Optional[torch.Tensor] = None,
              query_frames: Optional[torch.Tensor] = None,
              key_frames: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Args:
            query_feats (Tensor): ``(N, C, S_q)`` snippet features of the
                query view.
            key_feats (Tensor): ``(N, C, S_k)`` snippet features of the key
                view (same sample ``n``).
            key_valid (Tensor, optional): ``(N, S_k)`` bool, the key
                snippets that may be matched (each sample needs one); None:
                all.
            query_frames (Tensor, optional): long ``(N, S_q, T_q)``, the
                original frames each query snippet pools, -1 for none
                (:meth:`DenseProjectionHead.snippet_frames`). Needed by
                ``match='overlap'``, ignored by ``'similarity'``.
            key_frames (Tensor, optional): long ``(N, S_k, T_k)``, the same
                for the key snippets.

        Returns:
            Tensor: long ``(N, S_q)``, values in ``[0, S_k)``; ties go to the
            lowest index.
        """
        if self.similarity == 'cosine':
            query_feats = F.normalize(query_feats, dim=1)
            key_feats = F.normalize(key_feats, dim=1)
        similarity = torch.bmm(query_feats.transpose(1, 2), key_feats)
        if key_valid is not None:
            check_step_mask(key_valid, key_feats, 'key_valid')
            similarity = similarity.masked_fill(~key_valid.unsqueeze(1),
                                                float('-inf'))
        if self.match_by == 'overlap':
            if query_frames is None or key_frames is None:
                raise ValueError(
                    "SnippetMatcher(match='overlap') needs the snippets' "
                    'original frames (query_frames, key_frames): the data '
                    'samples must carry frame_inds (PackUntrimmedPoseInputs '
                    'packs them)')
            shared = shared_frame_counts(query_frames, key_frames)
            most = shared.amax(dim=2, keepdim=True)
            others = (shared < most) & (most > 0)
            similarity = similarity.masked_fill(others, float('-inf'))
        return similarity.argmax(dim=2)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(similarity={self.similarity!r}, '
                f'match={self.match_by!r})')


def shared_frame_counts(query_frames: torch.Tensor,
                        key_frames: torch.Tensor) -> torch.Tensor:
    """How many distinct original frames each query snippet shares with each
    key snippet of the same sample: ``|F_i ∩ F_j|``.

    Each sample's frame indices are ranked densely (``U <= T_q + T_k + 1``
    distinct values), each snippet becomes a membership row over the ranks,
    and the counts are products of those rows; -1 entries are members of
    nothing.

    Args:
        query_frames (Tensor): long ``(N, S_q, T_q)``, original frame
            indices, -1 for none; repeats count once.
        key_frames (Tensor): long ``(N, S_k, T_k)``.

    Returns:
        Tensor: ``(N, S_q, S_k)`` float counts.
    """
    if query_frames.shape[0] != key_frames.shape[0]:
        raise ValueError(f'query_frames {tuple(query_frames.shape)} and '
                         f'key_frames {tuple(key_frames.shape)} must hold '
                         'the same samples (N, S, T)')
    frames = torch.cat([query_frames.flatten(1), key_frames.flatten(1)], 1)
    ordered, order = frames.sort(dim=1)
    first = torch.ones_like(ordered, dtype=torch.bool)
    first[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ordered_ranks = first.long().cumsum(dim=1) - 1
    ranks = torch.empty_like(ordered_ranks).scatter_(1, order, ordered_ranks)
    num_ranks = int(ordered_ranks.max()) + 1
    members = []
    for snippet_frames, snippet_ranks in zip(
            (query_frames, key_frames),
            ranks.split([query_frames[0].numel(), key_frames[0].numel()],
                        dim=1)):
        rows = snippet_frames.new_zeros(*snippet_frames.shape[:2], num_ranks,
                                        dtype=torch.float32)
        rows.scatter_(2, snippet_ranks.view(snippet_frames.shape),
                      (snippet_frames >= 0).to(torch.float32))
        members.append(rows)
    query_members, key_members = members
    return torch.bmm(query_members, key_members.transpose(1, 2))

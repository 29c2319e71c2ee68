"""Cross-view snippet correspondence (Eq. 4)."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from .padding import check_step_mask


@MODELS.register_module()
class SnippetMatcher:
    """For every query snippet, the index of the most similar key snippet:
    ``j* = argmax_j sim(f_i, f_j)`` (Eq. 4), over the key snippets that
    hold real frames when a key snippet mask is given (padding never serves
    as a positive).

    Args:
        similarity (str): ``'cosine'`` (the paper) or ``'dot'`` (raw dot
            product, what the public code computes). Defaults to
            ``'cosine'``.
    """

    SIMILARITIES = ('cosine', 'dot')

    def __init__(self, similarity: str = 'cosine') -> None:
        if similarity not in self.SIMILARITIES:
            raise ValueError(f'similarity must be one of {self.SIMILARITIES},'
                             f' got {similarity!r}')
        self.similarity = similarity

    @torch.no_grad()
    def match(self,
              query_feats: torch.Tensor,
              key_feats: torch.Tensor,
              key_valid: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Args:
            query_feats (Tensor): ``(N, C, S_q)`` snippet features of the
                query view.
            key_feats (Tensor): ``(N, C, S_k)`` snippet features of the key
                view (same sample ``n``).
            key_valid (Tensor, optional): ``(N, S_k)`` bool, the key
                snippets that may be matched (each sample needs one); None:
                all.

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
        return similarity.argmax(dim=2)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(similarity={self.similarity!r})'

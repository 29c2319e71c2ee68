from .heads import DenseProjectionHead, GlobalProjectionHead
from .losses import info_nce
from .losses import contrast_logits, distribution_matching, margin_ranking
from .matcher import SnippetMatcher
from .part_head import NTU25_BODY_PARTS, BodyPartRelationHead
from .queue import QueueMemoryBank
from .rvtclr import RVTCLR
from .skeleton_moco import SkeletonMoCo

__all__ = [
    'DenseProjectionHead', 'GlobalProjectionHead', 'QueueMemoryBank',
    'SkeletonMoCo', 'SnippetMatcher', 'info_nce'
]
__all__ += [
    'BodyPartRelationHead', 'NTU25_BODY_PARTS', 'RVTCLR', 'contrast_logits',
    'distribution_matching', 'margin_ranking'
]

from .aimclr import AimCLR, energy_attention_drop
from .heads import DenseProjectionHead, GlobalProjectionHead
from .hiclr import HiCLR
from .losses import (contrastive_logits, d3m_loss, distribution_matching_loss,
                     hierarchical_matching_loss, info_nce,
                     multi_positive_info_nce, nearest_neighbour_mask)
from .losses import margin_ranking
from .matcher import SnippetMatcher
from .part_head import NTU25_BODY_PARTS, BodyPartRelationHead
from .queue import QueueMemoryBank
from .rvtclr import RVTCLR
from .skeleton_moco import SkeletonMoCo

__all__ = [
    'AimCLR', 'DenseProjectionHead', 'GlobalProjectionHead', 'HiCLR',
    'QueueMemoryBank', 'SkeletonMoCo', 'SnippetMatcher', 'contrastive_logits',
    'd3m_loss', 'distribution_matching_loss', 'energy_attention_drop',
    'hierarchical_matching_loss', 'info_nce', 'multi_positive_info_nce',
    'nearest_neighbour_mask'
]
__all__ += [
    'BodyPartRelationHead', 'NTU25_BODY_PARTS', 'RVTCLR', 'margin_ranking'
]

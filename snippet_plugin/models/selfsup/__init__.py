from .aimclr import AimCLR, energy_attention_drop
from .heads import DenseProjectionHead, GlobalProjectionHead
from .losses import info_nce
from .losses import (contrastive_logits, d3m_loss, multi_positive_info_nce,
                     nearest_neighbour_mask)
from .matcher import SnippetMatcher
from .queue import QueueMemoryBank
from .skeleton_moco import SkeletonMoCo

__all__ = [
    'AimCLR', 'energy_attention_drop', 'contrastive_logits', 'd3m_loss',
    'multi_positive_info_nce', 'nearest_neighbour_mask',
    'DenseProjectionHead', 'GlobalProjectionHead', 'QueueMemoryBank',
    'SkeletonMoCo', 'SnippetMatcher', 'info_nce'
]

from .heads import DenseProjectionHead, GlobalProjectionHead
from .hiclr import HiCLR
from .losses import info_nce
from .losses import (contrastive_logits, distribution_matching_loss,
                     hierarchical_matching_loss)
from .matcher import SnippetMatcher
from .queue import QueueMemoryBank
from .skeleton_moco import SkeletonMoCo

__all__ = [
    'DenseProjectionHead', 'GlobalProjectionHead', 'QueueMemoryBank',
    'SkeletonMoCo', 'SnippetMatcher', 'info_nce'
]
__all__ += [
    'HiCLR', 'contrastive_logits', 'distribution_matching_loss',
    'hierarchical_matching_loss'
]

from .heads import DenseProjectionHead, GlobalProjectionHead
from .losses import info_nce
from .matcher import SnippetMatcher
from .queue import QueueMemoryBank
from .skeleton_moco import SkeletonMoCo

__all__ = [
    'DenseProjectionHead', 'GlobalProjectionHead', 'QueueMemoryBank',
    'SkeletonMoCo', 'SnippetMatcher', 'info_nce'
]

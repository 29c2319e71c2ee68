"""Models: multi-scale backbone wrapper and self-supervised pretraining."""
from .backbones import MultiScaleGCN
from .selfsup import (DenseProjectionHead, GlobalProjectionHead,
                      QueueMemoryBank, SkeletonMoCo, SnippetMatcher, info_nce)

__all__ = [
    'DenseProjectionHead', 'GlobalProjectionHead', 'MultiScaleGCN',
    'QueueMemoryBank', 'SkeletonMoCo', 'SnippetMatcher', 'info_nce'
]

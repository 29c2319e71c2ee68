"""Models: multi-scale backbone wrapper, self-supervised pretraining, and the
localization neck and head."""
from .backbones import MultiScaleGCN
from .heads import FramewiseLocalizationHead
from .necks import LastLevelUpsample, UShapeNeck
from .selfsup import (DenseProjectionHead, GlobalProjectionHead,
                      QueueMemoryBank, SkeletonMoCo, SnippetMatcher, info_nce)

__all__ = [
    'DenseProjectionHead', 'FramewiseLocalizationHead', 'GlobalProjectionHead',
    'LastLevelUpsample', 'MultiScaleGCN', 'QueueMemoryBank', 'SkeletonMoCo',
    'SnippetMatcher', 'UShapeNeck', 'info_nce'
]

"""Models: multi-scale backbone wrapper, self-supervised pretraining, and the
localization neck, head and localizer."""
from .backbones import MultiScaleGCN, RawPoseEncoder
from .heads import FramewiseLocalizationHead, MultiStageRefinement
from .localizers import SkeletonLocalizer, backbone_state_from_checkpoint
from .necks import LastLevelUpsample, UShapeNeck
from .selfsup import (DenseProjectionHead, GlobalProjectionHead,
                      QueueMemoryBank, SkeletonMoCo, SnippetMatcher, info_nce)

__all__ = [
    'DenseProjectionHead', 'FramewiseLocalizationHead', 'GlobalProjectionHead',
    'LastLevelUpsample', 'MultiScaleGCN', 'MultiStageRefinement',
    'QueueMemoryBank', 'RawPoseEncoder', 'SkeletonLocalizer', 'SkeletonMoCo',
    'SnippetMatcher', 'UShapeNeck', 'backbone_state_from_checkpoint',
    'info_nce'
]

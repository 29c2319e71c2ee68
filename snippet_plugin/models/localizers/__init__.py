"""Localization models: backbone + neck + frame-wise head, and the loader of
a pretrained backbone."""
from .pretrained_backbone import (backbone_state_from_checkpoint,
                                  load_pretrained_backbone)
from .skeleton_localizer import SkeletonLocalizer

__all__ = [
    'SkeletonLocalizer', 'backbone_state_from_checkpoint',
    'load_pretrained_backbone'
]

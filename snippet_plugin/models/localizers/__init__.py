"""Localization models: backbone + neck + frame-wise head."""
from .skeleton_localizer import (SkeletonLocalizer,
                                 backbone_state_from_checkpoint)

__all__ = ['SkeletonLocalizer', 'backbone_state_from_checkpoint']

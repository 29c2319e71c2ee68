from .framewise_head import FramewiseLocalizationHead
from .temporal_refinement import MultiStageRefinement

__all__ = ['FramewiseLocalizationHead', 'MultiStageRefinement']

"""Frame-label-aware skeleton transforms (registered in ``TRANSFORMS``)."""
from .contrastive import ContrastiveViews, RandomShear, TemporalPadCrop
from .extreme import (AugmentView, GaussianJitter, RandomAxisMask,
                      RandomAxisRotation, SkeletonFlip, TemporalGaussianBlur)
from .formatting import PackUntrimmedPoseInputs
from .normalize import NormalizeSkeleton3D
from .persons import FixPersonCount
from .tempo import RelativeTempoViews, tempo_indices
from .windows import (FRAME_ALIGNED_KEYS, PadFrames, RandomWindowCrop,
                      WindowCrop, sliding_window_starts, take_frames)

__all__ = [
    'FRAME_ALIGNED_KEYS', 'FixPersonCount', 'NormalizeSkeleton3D',
    'PackUntrimmedPoseInputs', 'PadFrames', 'RandomWindowCrop', 'WindowCrop',
    'sliding_window_starts', 'take_frames', 'ContrastiveViews',
    'AugmentView', 'GaussianJitter', 'RandomAxisMask', 'RandomAxisRotation',
    'SkeletonFlip', 'TemporalGaussianBlur',
    'RandomShear', 'TemporalPadCrop'
]
__all__ += ['RelativeTempoViews', 'tempo_indices']


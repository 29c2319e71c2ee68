"""High-level inference: build a trained localizer and localize the actions
of one skeleton sequence (array or file); the position probes of a
pretrained encoder (:mod:`.position_probes`)."""
from .inference import LocalizationResult, inference_localizer, init_localizer
from .inputs import (SkeletonInputError, SkeletonSequence, check_keypoint,
                     load_skeleton_input)

__all__ = [
    'LocalizationResult', 'SkeletonInputError', 'SkeletonSequence',
    'check_keypoint', 'inference_localizer', 'init_localizer',
    'load_skeleton_input'
]

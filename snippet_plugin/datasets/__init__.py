from .transforms import (FixPersonCount, NormalizeSkeleton3D,
                         PackUntrimmedPoseInputs, PadFrames, RandomWindowCrop,
                         WindowCrop)
from .untrimmed_pose_dataset import UntrimmedPoseDataset

__all__ = [
    'FixPersonCount', 'NormalizeSkeleton3D', 'PackUntrimmedPoseInputs',
    'PadFrames', 'RandomWindowCrop', 'UntrimmedPoseDataset', 'WindowCrop'
]

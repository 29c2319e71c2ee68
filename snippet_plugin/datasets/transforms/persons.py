"""A fixed number of persons per sample, so that samples stack."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class FixPersonCount(BaseTransform):
    """Zero-pad or truncate the person axis to ``num_person``.

    MMEngine's batch stacking pads every axis but the first, so samples with
    different person counts ``M`` cannot be batched; this transform makes
    ``M`` fixed. Absent persons are all-zero skeletons (the format's marker of
    a missing person); extra persons beyond ``num_person`` are dropped, the
    first ones kept. Frames are untouched.

    Required keys: ``keypoint`` ``(M, T, V, C)``; optional
    ``keypoint_score`` ``(M, T, V)``.
    Modified keys: the same, with ``M = num_person``.

    Args:
        num_person: Persons per sample. Defaults to 2 (NTU RGB+D).
    """

    def __init__(self, num_person: int = 2) -> None:
        if num_person < 1:
            raise ValueError(f'num_person must be >= 1, got {num_person}')
        self.num_person = num_person

    def transform(self, results: Dict) -> Dict:
        for key in ('keypoint', 'keypoint_score'):
            if key not in results:
                continue
            array = results[key][:self.num_person]
            missing = self.num_person - array.shape[0]
            if missing > 0:
                padding = np.zeros((missing, ) + array.shape[1:], array.dtype)
                array = np.concatenate([array, padding])
            results[key] = array
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_person={self.num_person})'

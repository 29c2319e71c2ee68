"""Localization evaluation: functional NumPy API and the mmengine metric."""
from .functional import (TemporalMAPResult, average_precision,
                         frames_to_segments, labels_to_segments, segment_iou,
                         temporal_map)
from .metrics import TemporalLocalizationMetric

__all__ = [
    'TemporalMAPResult', 'average_precision', 'frames_to_segments',
    'labels_to_segments', 'segment_iou', 'temporal_map',
    'TemporalLocalizationMetric'
]

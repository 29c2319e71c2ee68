"""NumPy functions for temporal action localization: tIoU, AP/mAP, and the
frame-score -> segment post-processing."""
from .detection_map import (DEFAULT_TIOU_THRESHOLDS, TemporalMAPResult,
                            average_precision, temporal_map)
from .postprocess import (DEFAULT_PROPOSAL_THRESHOLDS, find_runs,
                          frames_to_segments, labels_to_segments,
                          lower_score_overlap_nms, outer_inner_scores)
from .tiou import paired_segment_iou, segment_iou

__all__ = [
    'DEFAULT_TIOU_THRESHOLDS', 'TemporalMAPResult', 'average_precision',
    'temporal_map', 'DEFAULT_PROPOSAL_THRESHOLDS', 'find_runs',
    'frames_to_segments', 'labels_to_segments', 'lower_score_overlap_nms',
    'outer_inner_scores', 'paired_segment_iou', 'segment_iou'
]

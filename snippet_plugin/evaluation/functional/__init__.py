"""Functions for temporal action localization: tIoU, AP/mAP under the
'voc', 'pkummd' and 'anet' protocols, action-segmentation scores, the
frame-score -> segment post-processing (NumPy), and k-nearest-neighbour frame
classification (torch)."""
from .detection_map import (DEFAULT_TIOU_THRESHOLDS, TemporalMAPResult,
                            average_precision, temporal_map)
from .knn import (KNN_PROPOSAL_THRESHOLDS, FrameMemory, RandomFrameSubset,
                  all_gather_rows, features_at_frames, frame_level_features,
                  fuse_levels, knn_class_probabilities, knn_topk, level_list,
                  resolve_levels)
from .postprocess import (DEFAULT_PROPOSAL_THRESHOLDS, find_runs,
                          frames_to_segments, labels_to_segments,
                          lower_score_overlap_nms, outer_inner_scores,
                          smooth_frame_scores, smoothing_window_frames)
from .protocols import (ALLOWED_PROTOCOLS, LABEL_ENDS, check_protocol,
                        official_frames, pkummd_average_precision,
                        pkummd_map, pkummd_match, pkummd_overlap,
                        protocol_map)
from .segmentation import (DEFAULT_F1_OVERLAPS, edit_score, f1_counts,
                           f1_from_counts, label_runs, levenshtein,
                           segmentation_scores)
from .tiou import paired_segment_iou, segment_iou

__all__ = [
    'DEFAULT_TIOU_THRESHOLDS', 'TemporalMAPResult', 'average_precision',
    'temporal_map', 'KNN_PROPOSAL_THRESHOLDS', 'FrameMemory',
    'RandomFrameSubset', 'all_gather_rows', 'features_at_frames',
    'frame_level_features', 'fuse_levels', 'level_list', 'resolve_levels',
    'knn_class_probabilities', 'knn_topk', 'DEFAULT_PROPOSAL_THRESHOLDS', 'find_runs',
    'frames_to_segments', 'labels_to_segments', 'lower_score_overlap_nms',
    'outer_inner_scores', 'smooth_frame_scores', 'smoothing_window_frames',
    'paired_segment_iou', 'segment_iou',
    'ALLOWED_PROTOCOLS', 'LABEL_ENDS', 'check_protocol', 'official_frames',
    'pkummd_average_precision',
    'pkummd_map', 'pkummd_match', 'pkummd_overlap', 'protocol_map',
    'DEFAULT_F1_OVERLAPS', 'edit_score', 'f1_counts', 'f1_from_counts',
    'label_runs', 'levenshtein', 'segmentation_scores'
]

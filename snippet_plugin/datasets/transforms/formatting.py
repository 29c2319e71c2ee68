"""Pack untrimmed skeleton samples into model inputs and data samples."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from .windows import FRAME_ALIGNED_KEYS, current_num_frames


@TRANSFORMS.register_module()
class PackUntrimmedPoseInputs(BaseTransform):
    """Pack ``keypoint`` and the frame-level labels for the model.

    Output ``inputs``: float32 tensor ``(M, T, V, C)``; MMEngine's
    ``pseudo_collate`` + MMAction2's ``ActionDataPreprocessor`` stack a batch
    into ``(N, M, T, V, C)``. Stacked views of
    :class:`~.contrastive.ContrastiveViews` (a 5-D ``keypoint``
    ``(V_n, M, T, V, C)``) pack to ``(V_n, M, T, V, C)`` (batch
    ``(N, V_n, M, T, V, C)``) and their frame fields to ``(V_n, T)``, row
    ``i`` for view ``i``. Stacking zero-pads a shorter ``T`` WITHOUT
    padding the labels, so give every sample of a batch the same ``T``
    (``RandomWindowCrop`` / ``WindowCrop`` / ``PadFrames(length=...)``).

    Output ``data_samples``: an :class:`ActionDataSample` with

    * data fields, one entry per packed frame:

      - ``gt_frame_labels`` LongTensor ``(T,)``: class id in ``[0, K)``,
        background ``K``, or -1 = unlabelled (padding, weak / unlabelled
        sequences). The ONLY frame-level supervision a loss may use.
      - ``frame_mask`` BoolTensor ``(T,)``: True for a real frame, False for
        padding. Losses, metrics and KNN must ignore frames where it is
        False (a frame is supervised iff ``frame_mask & (label != -1)``).
      - ``frame_inds`` LongTensor ``(T,)``: the frame of the original
        sequence each packed frame came from, -1 for padding; use it to map
        predictions back (overlapping test windows share frames).
    * ``gt_labels.item`` LongTensor ``(L,)``: the sorted distinct video-level
      class ids (weak labels); empty if the sample carries none.
    * metainfo:

      - ``frame_dir`` (str) and ``window_start`` (int, original frame of the
        window's first frame; 0 for whole sequences);
      - ``total_frames`` (int): length of the ORIGINAL sequence;
      - ``fps``: frame rate of the sequence;
      - ``gt_segments``: int64 ndarray ``(S, 3)`` rows ``[start, end, class]``
        (half-open, original sequence coordinates). Ground truth for
        EVALUATION ONLY, in every label mode; training losses must never
        read it (in ``label_mode='video'`` it is the only place the frame
        positions of actions survive);
      - ``video_labels`` (list of int): same ids as ``gt_labels``;
      - any extra ``meta_keys`` present in the results.

    Required keys: ``keypoint``, ``frame_labels``, ``segments``,
    ``video_labels``, ``frame_dir``, ``window_start``, ``ori_total_frames``,
    ``fps``; optional ``frame_mask`` (default all True) and ``frame_inds``
    (default the identity).

    Args:
        meta_keys: Extra result keys copied into the metainfo.
    """

    def __init__(self, meta_keys: Sequence[str] = ()) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        frame_shape = _frame_shape(results)
        frame_mask = results.get('frame_mask', np.ones(frame_shape, bool))
        frame_inds = results.get(
            'frame_inds', np.tile(np.arange(frame_shape[-1]),
                                  frame_shape[:-1] + (1, )))
        data_sample = ActionDataSample()
        data_sample.set_field(
            torch.as_tensor(results['frame_labels'], dtype=torch.long),
            'gt_frame_labels')
        data_sample.set_field(
            torch.as_tensor(frame_mask, dtype=torch.bool), 'frame_mask')
        data_sample.set_field(
            torch.as_tensor(frame_inds, dtype=torch.long), 'frame_inds')
        video_labels = [int(c) for c in results['video_labels']]
        data_sample.set_gt_labels(torch.tensor(video_labels,
                                               dtype=torch.long))
        metainfo = dict(
            frame_dir=results['frame_dir'],
            window_start=int(results['window_start']),
            total_frames=int(results['ori_total_frames']),
            fps=results['fps'],
            gt_segments=np.asarray(results['segments'],
                                   dtype=np.int64).reshape(-1, 3),
            video_labels=video_labels)
        metainfo.update(
            {key: results[key]
             for key in self.meta_keys if key in results})
        data_sample.set_metainfo(metainfo)
        keypoint = np.ascontiguousarray(results['keypoint'], dtype=np.float32)
        return dict(inputs=torch.from_numpy(keypoint),
                    data_samples=data_sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'


def _frame_shape(results: Dict) -> tuple:
    """Shape of the frame fields: ``(T,)``, or ``(V_n, T)`` for stacked
    views (5-D ``keypoint`` ``(V_n, M, T, V, C)``), checked against every
    frame-aligned array."""
    if results['keypoint'].ndim != 5:
        return (current_num_frames(results), )
    num_views = results['keypoint'].shape[0]
    stacked = {key: results[key] for key in FRAME_ALIGNED_KEYS
               if key in results}
    unstacked = {key: value.shape for key, value in stacked.items()
                 if value.ndim < 2 or value.shape[0] != num_views}
    if unstacked:
        raise ValueError(f'a 5-D keypoint holds {num_views} stacked views, '
                         f'but these frame-aligned arrays are not stacked '
                         f'per view: {unstacked}')
    for view in range(num_views):
        current_num_frames({key: value[view]
                            for key, value in stacked.items()})
    return (num_views, results['keypoint'].shape[2])

"""PackUntrimmedPoseInputs: inputs and a data sample with typed frame fields,
identity fields when no transform changed the frames, per-view fields, and a
batch through MMAction2's data preprocessor."""
import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from mmaction.models import ActionDataPreprocessor
from snippet_plugin.datasets.transforms import (FixPersonCount,
                                                PackUntrimmedPoseInputs,
                                                PadFrames, RandomWindowCrop)
from indexed_frames import indexed_results, label_of


def test_pack_gives_inputs_and_a_data_sample_with_typed_fields():
    results = indexed_results(10)
    results['segments'] = np.array([[2, 5, 1], [6, 9, 3]], np.int64)
    results = PadFrames(length=12)(results)
    packed = PackUntrimmedPoseInputs(meta_keys=('label_mode', 'absent'))(
        dict(results, label_mode='frame'))
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs.dtype == torch.float32 and inputs.shape == (1, 12, 25, 3)
    assert sample.gt_frame_labels.dtype == torch.long
    assert sample.frame_mask.dtype == torch.bool
    assert sample.frame_inds.dtype == torch.long
    assert sample.gt_frame_labels.tolist() == label_of(
        np.arange(10)).tolist() + [-1, -1]
    assert sample.frame_mask.tolist() == [True] * 10 + [False] * 2
    assert sample.frame_inds.tolist() == list(range(10)) + [-1, -1]
    assert sample.gt_labels.item.tolist() == [1, 3]
    assert sample.video_labels == [1, 3]
    assert sample.gt_segments.dtype == np.int64
    assert sample.gt_segments.tolist() == [[2, 5, 1], [6, 9, 3]]
    assert sample.total_frames == 10 and sample.window_start == 0
    assert sample.frame_dir == 'seq' and sample.fps == 30
    assert sample.label_mode == 'frame' and 'absent' not in sample


def test_pack_without_frame_changes_uses_identity_and_empty_labels():
    results = indexed_results(5)
    del results['frame_mask']
    results['video_labels'] = []
    sample = PackUntrimmedPoseInputs()(results)['data_samples']
    assert sample.frame_inds.tolist() == [0, 1, 2, 3, 4]
    assert sample.frame_mask.all()
    assert sample.gt_labels.item.dtype == torch.long
    assert sample.gt_labels.item.numel() == 0
    assert sample.gt_segments.shape == (0, 3)


def test_a_batch_collates_and_preprocesses_to_n_m_t_v_c():
    items = []
    for frames, persons in ((9, 1), (14, 2), (4, 1)):
        results = indexed_results(frames, persons=persons)
        np.random.seed(frames)
        results = RandomWindowCrop(8)(results)
        items.append(PackUntrimmedPoseInputs()(FixPersonCount(2)(results)))
    batch = ActionDataPreprocessor()(pseudo_collate(items))
    assert batch['inputs'].shape == (3, 2, 8, 25, 3)
    assert batch['inputs'].dtype == torch.float32
    torch.testing.assert_close(batch['inputs'][2],
                               items[2]['inputs'])
    labels = torch.stack([s.gt_frame_labels for s in batch['data_samples']])
    assert labels.shape == (3, 8)
    assert labels[2].tolist() == label_of(np.arange(4)).tolist() + [-1] * 4


def test_pack_fills_identity_frame_fields_for_views_without_them():
    results = indexed_results(6)
    results['keypoint'] = np.stack([results['keypoint']] * 3)
    results['keypoint_score'] = np.stack([results['keypoint_score']] * 3)
    results['frame_labels'] = np.stack([results['frame_labels']] * 3)
    del results['frame_mask']
    sample = PackUntrimmedPoseInputs()(results)['data_samples']
    assert sample.frame_inds.tolist() == [list(range(6))] * 3
    assert sample.frame_mask.shape == (3, 6) and sample.frame_mask.all()

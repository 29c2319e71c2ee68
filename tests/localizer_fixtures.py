"""A tiny trained-looking SkeletonLocalizer (config + checkpoint) and
skeleton sequences with exact 4-decimal coordinates, shared by the tests of
the inference API, ``tools/localize.py``, the timeline hook and t-SNE."""
import numpy as np
import torch
from mmengine.config import Config

from mmaction.registry import MODELS

CLASSES = ('walk', 'kick')
FPS = 25
STRIDE = 8
GCN = dict(
    type='MultiScaleGCN',
    backbone=dict(type='STGCN',
                  graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
                  base_channels=8, down_stages=[2, 5, 8]))


def inference_pipeline(num_person=1, whole=True):
    """Whole sequences padded to the backbone stride, or dataset windows."""
    crop = dict(type='PadFrames', multiple_of=STRIDE) if whole else dict(
        type='WindowCrop')
    return [dict(type='NormalizeSkeleton3D'), crop,
            dict(type='FixPersonCount', num_person=num_person),
            dict(type='PackUntrimmedPoseInputs')]


def localizer_config(ann_file='data/none.pkl', window=None, metainfo=None):
    """A SkeletonLocalizer config (U-neck, K = 2) with a test dataloader.

    Args:
        ann_file: The test dataset's annotation file.
        window: ``dict(clip_len, stride)`` for sliding-window testing.
        metainfo: The test dataset's ``metainfo`` (class names, fps).
    """
    dataset = dict(type='UntrimmedPoseDataset', ann_file=ann_file,
                   split='val', label_mode='frame', test_mode=True,
                   pipeline=inference_pipeline(whole=window is None))
    if window is not None:
        dataset['window'] = window
    if metainfo is not None:
        dataset['metainfo'] = metainfo
    return Config(dict(
        model=dict(type='SkeletonLocalizer', backbone=GCN,
                   neck=dict(type='UShapeNeck', hidden_channels=12,
                             out_channels=10),
                   head=dict(type='FramewiseLocalizationHead',
                             num_classes=len(CLASSES))),
        test_dataloader=dict(batch_size=1, num_workers=0,
                             sampler=dict(type='DefaultSampler',
                                          shuffle=False),
                             dataset=dataset),
        test_evaluator=dict(type='TemporalLocalizationMetric'),
        test_cfg=dict(type='TestLoop'),
        default_scope='mmaction'))


def save_checkpoint(cfg, path, seed=0, dataset_meta=None):
    """Build ``cfg.model`` with ``seed`` and save it the way MMEngine's
    runner does (``state_dict`` + ``meta``); return the model."""
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    meta = {} if dataset_meta is None else dict(dataset_meta=dataset_meta)
    torch.save(dict(state_dict=model.state_dict(), meta=meta), str(path))
    return model.eval()


def write_localizer_files(folder, seed=1):
    """The tiny localizer's config file and a checkpoint that names the
    classes and fps, in ``folder``; return their paths as strings."""
    cfg = localizer_config()
    config = folder / 'tiny_localizer.py'
    cfg.dump(str(config))
    checkpoint = folder / 'epoch_1.pth'
    save_checkpoint(cfg, checkpoint, seed=seed,
                    dataset_meta=dict(classes=list(CLASSES), fps=FPS))
    return str(config), str(checkpoint)


def rounded_skeleton(num_frames, seed=0, persons=1):
    """``(M, T, 25, 3)`` float32 motion with 4 decimals (exact in the text
    formats): a standing skeleton that sways, plus noise."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(-0.5, 0.5, size=(25, 3)) + np.array([0, 0, 1.0])
    sway = np.sin(np.arange(num_frames) / 5.0)[:, None, None] * 0.2
    motion = base + sway + rng.normal(0, 0.02, size=(num_frames, 25, 3))
    keypoint = np.stack([motion + 0.7 * p for p in range(persons)])
    return np.round(keypoint, 4).astype(np.float32)

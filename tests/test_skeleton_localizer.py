"""SkeletonLocalizer: channel wiring, frozen backbone, pretrained loading
from a SkeletonMoCo checkpoint, frame and weak losses against the head's
losses on hand-built targets, and predictions in original coordinates fed
to the localization metric."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from snippet_plugin.evaluation import TemporalLocalizationMetric
from snippet_plugin.models.localizers import pretrained_backbone
from snippet_plugin.models.localizers.pretrained_backbone import \
    load_pretrained_backbone
from snippet_plugin.utils.checkpoint import UnsafeCheckpointError

K = 2
NUM_FRAMES = 37  # levels 37, 19, 10, 5 with down_stages=[2, 5, 8]
GCN = dict(
    type='MultiScaleGCN',
    backbone=dict(type='STGCN',
                  graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
                  base_channels=8, down_stages=[2, 5, 8]))
USHAPE = dict(type='UShapeNeck', hidden_channels=12, out_channels=10)


def build(neck=USHAPE, seed=0, **kwargs):
    torch.manual_seed(seed)
    cfg = dict(type='SkeletonLocalizer', backbone=GCN, neck=neck,
               head=dict(type='FramewiseLocalizationHead', num_classes=K))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def skeletons(num_samples=2, num_frames=NUM_FRAMES, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(num_samples, 1, num_frames, 25, 3,
                       generator=generator)


def sample(frame_labels, num_valid=None, video_labels=(), frame_inds=None,
           total_frames=None, name='seq'):
    """An ActionDataSample like PackUntrimmedPoseInputs packs (padding
    after ``num_valid`` real frames)."""
    frame_labels = torch.as_tensor(frame_labels, dtype=torch.long)
    length = len(frame_labels)
    num_valid = length if num_valid is None else num_valid
    mask = torch.arange(length) < num_valid
    if frame_inds is None:
        frame_inds = torch.where(mask, torch.arange(length), -1)
    data_sample = ActionDataSample()
    data_sample.set_field(frame_labels, 'gt_frame_labels')
    data_sample.set_field(mask, 'frame_mask')
    data_sample.set_field(torch.as_tensor(frame_inds), 'frame_inds')
    data_sample.set_gt_labels(torch.tensor(list(video_labels),
                                           dtype=torch.long))
    data_sample.set_metainfo(
        dict(frame_dir=name, total_frames=total_frames or num_valid,
             video_labels=list(video_labels),
             gt_segments=np.zeros((0, 3), np.int64)))
    return data_sample


def random_labels(num_frames=NUM_FRAMES, seed=2):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, K + 1, (num_frames, ), generator=generator)


def test_channels_are_wired_and_logits_have_k_plus_one_rows():
    model = build()
    assert model.backbone.out_channels == [8, 8, 16, 32]
    assert model.neck.in_channels == [8, 8, 16, 32]
    assert model.head.classifier.in_channels == 10
    assert model(skeletons()).shape == (2, K + 1, NUM_FRAMES)


def test_without_neck_the_last_level_is_upsampled_by_nearest():
    model = build(neck=None).eval()
    x = skeletons()
    with torch.no_grad():
        last = model.backbone(x)[-1]  # (2, 32, 5)
    assert last.shape[-1] == 5
    # nearest: frame t takes level frame floor(t * 5 / 37)
    source = [t * 5 // NUM_FRAMES for t in range(NUM_FRAMES)]
    upsampled = last[:, :, source]
    expected = torch.einsum('kc,nct->nkt',
                            model.head.classifier.weight[:, :, 0],
                            upsampled) + model.head.classifier.bias[:, None]
    with torch.no_grad():
        assert torch.allclose(model(x), expected, atol=1e-5)


def test_frozen_backbone_keeps_weights_and_bn_statistics():
    model = build(freeze_backbone=True)
    model.train()
    assert not model.backbone.training and model.head.training
    assert model.neck.training
    before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    head_before = model.head.classifier.weight.clone()
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.5))
    data = dict(inputs=list(skeletons()),
                data_samples=[sample(random_labels(seed=s))
                              for s in (2, 3)])
    losses = model.train_step(data, wrapper)
    assert set(losses) == {'loss', 'loss_frame'}
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert any('running_mean' in key for key in before)
    assert all(p.grad is None and not p.requires_grad
               for p in model.backbone.parameters())
    assert not torch.equal(model.head.classifier.weight, head_before)


def test_unfrozen_backbone_is_trained():
    model = build()
    before = [p.clone() for p in model.backbone.parameters()]
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.5))
    model.train_step(dict(inputs=list(skeletons()),
                          data_samples=[sample(random_labels()),
                                        sample(random_labels(seed=3))]),
                     wrapper)
    assert any(not torch.equal(a, b)
               for a, b in zip(before, model.backbone.parameters()))


def moco_checkpoint(path, seed=5):
    """A real tiny SkeletonMoCo state dict whose key encoder differs from
    its query encoder; returns the model."""
    torch.manual_seed(seed)
    moco = MODELS.build(
        dict(type='SkeletonMoCo', backbone=GCN,
             global_head=dict(type='GlobalProjectionHead', in_channels=32,
                              out_channels=8),
             queue_size=4, feat_dim=8))
    with torch.no_grad():
        for param in moco.encoder_k.parameters():
            param.add_(1.0)
    torch.save(moco.state_dict(), path)
    return moco


def test_pretrained_backbone_equals_the_query_encoder(tmp_path):
    path = str(tmp_path / 'moco.pth')
    moco = moco_checkpoint(path)
    model = build(pretrained=path)
    query = moco.encoder_q['backbone'].state_dict()
    conv = 'backbone.gcn.0.gcn.conv.weight'
    assert not torch.equal(model.backbone.state_dict()[conv], query[conv])
    model.init_weights()
    loaded = model.backbone.state_dict()
    assert set(loaded) == set(query)
    for key, value in query.items():
        assert torch.equal(loaded[key], value), key


def test_plain_and_prefixed_backbone_state_dicts_load(tmp_path):
    source = build(seed=7)
    plain, prefixed = tmp_path / 'plain.pth', tmp_path / 'loc.pth'
    torch.save(source.backbone.state_dict(), plain)
    torch.save(dict(state_dict=source.state_dict()), prefixed)
    for path in (plain, prefixed):
        model = build(pretrained=str(path))
        model.init_weights()
        for key, value in source.backbone.state_dict().items():
            assert torch.equal(model.backbone.state_dict()[key], value)


def test_missing_and_unexpected_keys_are_logged(tmp_path, monkeypatch):
    path = str(tmp_path / 'moco.pth')
    moco_checkpoint(path)
    state = torch.load(path)
    dropped = 'encoder_q.backbone.backbone.data_bn.weight'
    del state[dropped]
    state['encoder_q.backbone.extra.weight'] = torch.zeros(1)
    torch.save(state, path)
    messages = []
    monkeypatch.setattr(pretrained_backbone, 'print_log',
                        lambda msg, *a, **k: messages.append(msg))
    load_pretrained_backbone(build().backbone, path)
    assert any('missing' in m and 'backbone.data_bn.weight' in m
               for m in messages)
    assert any('unexpected' in m and "'extra.weight'" in m
               for m in messages)


def test_checkpoint_without_backbone_keys_is_refused(tmp_path):
    path = str(tmp_path / 'heads_only.pth')
    torch.save({'head.classifier.weight': torch.zeros(3, 10, 1)}, path)
    model = build(pretrained=path)
    with pytest.raises(ValueError, match='heads_only.pth'):
        model.init_weights()


def test_misfit_checkpoint_is_refused_before_anything_is_loaded(tmp_path):
    source = build(seed=7)
    state = source.backbone.state_dict()
    misfit = next(key for key, value in state.items() if value.dim() == 4)
    state[misfit] = torch.zeros(1, 2, 1, 1)
    path = str(tmp_path / 'other_width.pth')
    torch.save(state, path)
    model = build(seed=0)
    before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    with pytest.raises(ValueError) as err:
        load_pretrained_backbone(model.backbone, path)
    assert 'other_width.pth' in str(err.value)
    assert f'{misfit}: checkpoint (1, 2, 1, 1)' in str(err.value)
    after = model.backbone.state_dict()
    assert all(torch.equal(after[k], v) for k, v in before.items())


class Payload:
    """A user class nobody allowlisted."""

    def __init__(self):
        self.value = 1


def test_unsafe_pickled_checkpoint_is_refused(tmp_path):
    path = str(tmp_path / 'unsafe.pth')
    torch.save({'backbone.x': Payload()}, path)
    with pytest.raises(UnsafeCheckpointError, match='unsafe.pth'):
        build(pretrained=path).init_weights()


def test_frame_loss_is_the_masked_cross_entropy_of_the_real_frames():
    model = build().eval()
    x = skeletons()
    labels = [random_labels(seed=2), random_labels(seed=3)]
    padded = [sample(labels[0], num_valid=30), sample(labels[1])]
    with torch.no_grad():
        logits = model(x)
        loss = model.loss(x, padded)['loss_frame']
    expected, count = 0.0, 0
    for n, valid in enumerate((30, NUM_FRAMES)):
        for t in range(valid):
            column = logits[n, :, t].double()
            expected -= float(column.log_softmax(0)[labels[n][t]])
            count += 1
    assert math.isclose(float(loss), expected / count, rel_tol=1e-5)
    garbage = labels[0].clone()
    garbage[30:] = torch.tensor([99, -1, 0, K, 5, 1, 99])
    with torch.no_grad():
        other = model.loss(x, [sample(garbage, num_valid=30),
                               sample(labels[1])])['loss_frame']
    assert torch.equal(loss, other)


def test_weak_loss_uses_video_labels_only():
    model = build(supervision='weak').eval()
    x = skeletons()
    first = [sample(random_labels(seed=2), video_labels=[1], num_valid=30),
             sample(random_labels(seed=3), video_labels=[0, 1])]
    second = [sample(torch.full((NUM_FRAMES, ), 99), video_labels=[1],
                     num_valid=30),
              sample(-torch.ones(NUM_FRAMES), video_labels=[0, 1])]
    with torch.no_grad():
        loss = model.loss(x, first)
        other = model.loss(x, second)['loss_weak']
        logits = model(x)
    assert set(loss) == {'loss_weak'}
    assert torch.equal(loss['loss_weak'], other)
    multi_hot = torch.tensor([[0., 1.], [1., 1.]])
    mask = torch.arange(NUM_FRAMES)[None] < torch.tensor([[30], [37]])
    expected = model.head.loss_weak(logits, multi_hot, mask)
    assert torch.allclose(loss['loss_weak'], expected)


def test_weak_labels_fall_back_to_metainfo_video_labels():
    model = build(supervision='weak')
    data_sample = ActionDataSample()
    data_sample.set_metainfo(dict(video_labels=[1]))
    targets = model.head.video_label_targets([data_sample], 'cpu')
    assert targets.tolist() == [[0.0, 1.0]]


def designed_logits(num_packed, action_frames, padding_from):
    """``(1, K + 1, T)`` logits: class 1 on ``action_frames``, background
    elsewhere, class 0 very likely on the padding."""
    logits = torch.zeros(1, K + 1, num_packed)
    logits[0, K] = 10.0
    logits[0, K, action_frames] = 0.0
    logits[0, 1, action_frames] = 10.0
    logits[0, :, padding_from:] = 0.0
    logits[0, 0, padding_from:] = 50.0
    return logits


def test_predict_maps_segments_to_original_frames_and_metric_scores_them(
        monkeypatch):
    model = build(postprocess=dict(thresholds=(0.5, ))).eval()
    num_valid, total = 30, 30
    # packed frame p holds original frame 29 - p (reversed), then padding
    inds = torch.cat([torch.arange(num_valid - 1, -1, -1),
                      -torch.ones(NUM_FRAMES - num_valid, dtype=torch.long)])
    data_sample = sample(torch.zeros(NUM_FRAMES), num_valid=num_valid,
                         frame_inds=inds, total_frames=total, name='v0')
    data_sample.set_metainfo(dict(gt_segments=np.array([[15, 25, 1]])))
    logits = designed_logits(NUM_FRAMES, slice(5, 15), num_valid)
    monkeypatch.setattr(model.head, 'forward', lambda features: logits)
    [result] = model.predict(skeletons(1), [data_sample])
    high = math.exp(10) / (math.exp(10) + 2)
    low = 1 / (math.exp(10) + 2)
    # packed [5, 15) -> original [15, 25); margins of 3 frames each side
    assert result.pred_segments.tolist() == [[15, 25, 1]]
    assert result.pred_segment_scores[0] == pytest.approx(high - 0.6 * low)
    assert result.pred_frame_scores.shape == (K + 1, total)
    expected_labels = [K] * 15 + [1] * 10 + [K] * 5
    assert result.pred_frame_labels.tolist() == expected_labels
    assert float(result.pred_frame_scores[1, 20]) == pytest.approx(high)

    metric = TemporalLocalizationMetric(tiou_thresholds=(0.5, ))
    metric.dataset_meta = dict(classes=['a', 'b'])
    metric.process(None, [result.to_dict()])
    metrics = metric.compute_metrics(metric.results)
    assert metrics['mAP@0.5'] == pytest.approx(100.0)
    assert metrics['acc'] == pytest.approx(100.0)


def test_predict_frame_scores_are_the_softmax_of_the_real_frames():
    model = build().eval()
    x = skeletons(1)
    data_sample = sample(torch.zeros(NUM_FRAMES), num_valid=30)
    with torch.no_grad():
        probs = F.softmax(model(x)[0], dim=0)
        [result] = model.predict(x, [data_sample])
    assert torch.allclose(result.pred_frame_scores, probs[:, :30])
    assert torch.equal(result.pred_frame_labels, probs[:, :30].argmax(0))
    assert isinstance(result.pred_segments, np.ndarray)
    assert result.pred_segments.shape[1] == 3


def test_predict_refuses_a_sample_that_misses_frames():
    model = build().eval()
    data_sample = sample(torch.zeros(NUM_FRAMES), num_valid=30,
                         total_frames=40, name='cut')
    with pytest.raises(ValueError, match='cut'):
        with torch.no_grad():
            model.predict(skeletons(1), [data_sample])


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError, match='supervision'):
        build(supervision='video')
    with pytest.raises(ValueError, match='background_id'):
        build(postprocess=dict(background_id=0))

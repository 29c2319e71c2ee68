"""SkeletonLocalizer: channel wiring, frozen backbone, frame and weak losses
against the head's losses on hand-built targets, predictions in original
coordinates fed to the localization metric, and what the Stage-2 protocols rely
on: padded frames change neither the loss nor the metric, weak supervision
reads no frame label from data to loss, and weak predictions read only the
logits the weak loss trains. With MS-TCN refinement stages: every stage
trains on its cross-entropy and smoothing loss, predictions read the last
stage, padding changes nothing, and without them nothing changes."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper

from mmaction.structures import ActionDataSample
from snippet_plugin.datasets import untrimmed_pose_dataset
from snippet_plugin.datasets.annotation import UNLABELLED, load_annotations
from snippet_plugin.datasets.untrimmed_pose_dataset import UntrimmedPoseDataset
from snippet_plugin.evaluation import TemporalLocalizationMetric
from snippet_plugin.evaluation.functional import smooth_frame_scores
from helpers import labelled_sample, write_annotation_file
from localizer_fixtures import build_localizer
from loss_references import reference_truncated_mse

K = 2
NUM_FRAMES = 37  # levels 37, 19, 10, 5 with down_stages=[2, 5, 8]
NUM_VALID = 30
PAD = NUM_FRAMES - NUM_VALID
CLASSES = ('walk', 'jump')


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
    model = build_localizer()
    assert model.backbone.out_channels == [8, 8, 16, 32]
    assert model.neck.in_channels == [8, 8, 16, 32]
    assert model.head.classifier.in_channels == 10
    assert model(skeletons()).shape == (2, K + 1, NUM_FRAMES)


def test_without_neck_the_last_level_is_upsampled_by_nearest():
    model = build_localizer(neck=None).eval()
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
    model = build_localizer(freeze_backbone=True)
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
    model = build_localizer()
    before = [p.clone() for p in model.backbone.parameters()]
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.5))
    model.train_step(dict(inputs=list(skeletons()),
                          data_samples=[sample(random_labels()),
                                        sample(random_labels(seed=3))]),
                     wrapper)
    assert any(not torch.equal(a, b)
               for a, b in zip(before, model.backbone.parameters()))


def test_frame_loss_is_the_masked_cross_entropy_of_the_real_frames():
    model = build_localizer().eval()
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
    model = build_localizer(supervision='weak').eval()
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
    model = build_localizer(supervision='weak')
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
    model = build_localizer(postprocess=dict(thresholds=(0.5, ))).eval()
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
    model = build_localizer().eval()
    x = skeletons(1)
    data_sample = sample(torch.zeros(NUM_FRAMES), num_valid=30)
    with torch.no_grad():
        probs = F.softmax(model(x)[0], dim=0)
        [result] = model.predict(x, [data_sample])
    assert torch.allclose(result.pred_frame_scores, probs[:, :30])
    assert torch.equal(result.pred_frame_labels, probs[:, :30].argmax(0))
    assert isinstance(result.pred_segments, np.ndarray)
    assert result.pred_segments.shape[1] == 3


def test_smoothing_window_smooths_predictions_and_travels_in_the_state():
    model = build_localizer(postprocess=dict(smoothing_s=0.2)).eval()
    assert model.smoothing_window_s == 0.2
    x = skeletons(1)
    data_sample = sample(torch.zeros(NUM_FRAMES), num_valid=30)
    data_sample.set_metainfo(dict(fps=25))
    with torch.no_grad():
        probs = F.softmax(model(x)[0], dim=0)[:, :30].double().numpy()
        [result] = model.predict(x, [data_sample])
    # 0.2 s at 25 fps: half-width 2.5 rounds half up to 3 -> 7 frames
    np.testing.assert_allclose(result.pred_frame_scores.numpy(),
                               smooth_frame_scores(probs, window=7),
                               rtol=1e-5, atol=1e-7)
    assert result.smoothing_s == 0.2 and result.smoothing_window == 7
    assert 'unsmoothed_pred_segments' in result

    other = build_localizer(seed=1)
    assert other.smoothing_window_s is None, 'no smoothing by default'
    other.load_state_dict(model.state_dict())
    assert other.smoothing_window_s == 0.2
    older = {k: v for k, v in model.state_dict().items()
             if k != 'smoothing_s'}
    other.set_smoothing_window(None)
    other.load_state_dict(older)   # a checkpoint from before the buffer
    assert other.smoothing_window_s is None
    with pytest.raises(ValueError, match='>= 0 s'):
        other.set_smoothing_window(-0.5)


def predict_with_background_bias(model, x, bias):
    """The model's predictions with the background logit's bias set."""
    with torch.no_grad():
        model.head.classifier.bias[K] = bias
        return model.predict(x, [sample(torch.zeros(NUM_FRAMES),
                                        num_valid=30)])[0]


def test_weak_predictions_ignore_the_background_logit_the_loss_never_trains():
    """Weak supervision trains the action rows only, so a hand-set
    background logit moves nothing a weak model predicts; a frame model
    trains it, and its softmax predictions do depend on it."""
    x = skeletons(1)
    model = build_localizer(
        supervision='weak', postprocess=dict(thresholds=(0.3, 0.5))).eval()
    with torch.no_grad():
        actions = model(x)[0, :K, :30]
    low, high = (predict_with_background_bias(model, x, bias)
                 for bias in (-30.0, 30.0))
    for field in ('pred_frame_scores', 'pred_frame_labels'):
        assert torch.equal(low.get(field), high.get(field))
    assert np.array_equal(low.pred_segments, high.pred_segments)
    assert np.array_equal(low.pred_segment_scores, high.pred_segment_scores)
    for t in range(30):
        expected = [1 / (1 + math.exp(-v)) for v in actions[:, t].tolist()]
        expected.append(1 - max(expected))
        assert low.pred_frame_scores[:, t].tolist() == pytest.approx(
            expected, rel=1e-5)
    frame_model = build_localizer().eval()
    low, high = (predict_with_background_bias(frame_model, x, bias)
                 for bias in (-30.0, 30.0))
    assert not torch.allclose(low.pred_frame_scores, high.pred_frame_scores)


def test_predict_refuses_a_sample_that_misses_frames():
    model = build_localizer().eval()
    data_sample = sample(torch.zeros(NUM_FRAMES), num_valid=30,
                         total_frames=40, name='cut')
    with pytest.raises(ValueError, match='cut'):
        with torch.no_grad():
            model.predict(skeletons(1), [data_sample])


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError, match='supervision'):
        build_localizer(supervision='video')
    with pytest.raises(ValueError, match='background_id'):
        build_localizer(postprocess=dict(background_id=0))


# ---- what the Stage-2 protocols rely on (issue 5) ---------------------------


def padded_logits(real, seed=9):
    """``real`` logits ``(N, K + 1, T_v)`` followed by adversarial padding
    logits (large, random) up to ``NUM_FRAMES`` frames."""
    generator = torch.Generator().manual_seed(seed)
    garbage = 50 * torch.randn(real.shape[0], K + 1, PAD,
                               generator=generator)
    return torch.cat([real, garbage], dim=2)


def real_logits(num_samples=2, seed=4):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(num_samples, K + 1, NUM_VALID, generator=generator)


@pytest.mark.parametrize('supervision', ['frame', 'weak'])
def test_padded_frames_never_change_the_loss(supervision, monkeypatch):
    model = build_localizer(supervision=supervision)
    logits = real_logits()
    labels = torch.randint(0, K + 1, (2, NUM_VALID),
                           generator=torch.Generator().manual_seed(3))
    garbage_labels = torch.tensor([99, -1, 0, K, 5, 1, 99])
    unpadded = [sample(labels[n], video_labels=[n % K]) for n in range(2)]
    padded = [
        sample(torch.cat([labels[n], garbage_labels]), num_valid=NUM_VALID,
               video_labels=[n % K]) for n in range(2)
    ]
    monkeypatch.setattr(model.head, 'forward', lambda features: logits)
    plain = model.loss(skeletons(num_frames=NUM_VALID), unpadded)
    monkeypatch.setattr(model.head, 'forward',
                        lambda features: padded_logits(logits))
    with_padding = model.loss(skeletons(), padded)
    assert plain.keys() == with_padding.keys() == {f'loss_{supervision}'}
    for key, value in plain.items():
        assert torch.allclose(with_padding[key], value, atol=1e-6)
    if supervision == 'frame':
        # hand check: mean cross-entropy over the 2 x 30 real frames
        expected = torch.nn.functional.cross_entropy(logits, labels)
        assert torch.allclose(plain['loss_frame'], expected, atol=1e-6)


def metric_of(results):
    metric = TemporalLocalizationMetric()
    metric.dataset_meta = dict(classes=list(CLASSES))
    metric.process(None, [r.to_dict() for r in results])
    return metric.compute_metrics(metric.results)


def test_padded_frames_never_change_the_predictions_or_the_metric(
        monkeypatch):
    model = build_localizer(postprocess=dict(thresholds=(0.3, 0.5))).eval()
    logits = real_logits(num_samples=1) * 3
    gt = np.array([[3, 12, 0], [15, 27, 1]])

    def predicted(inputs, logits_value, num_valid):
        monkeypatch.setattr(model.head, 'forward', lambda x: logits_value)
        data_sample = sample(torch.zeros(logits_value.shape[2]),
                             num_valid=num_valid, total_frames=NUM_VALID,
                             name='seq')
        data_sample.set_metainfo(dict(gt_segments=gt))
        return model.predict(inputs, [data_sample])

    [plain] = predicted(skeletons(1, NUM_VALID), logits, NUM_VALID)
    [padded] = predicted(skeletons(1), padded_logits(logits), NUM_VALID)
    assert plain.pred_frame_labels.shape == (NUM_VALID, )
    assert torch.equal(plain.pred_frame_labels, padded.pred_frame_labels)
    # equal up to float rounding (the softmax runs on a longer tensor)
    assert torch.allclose(plain.pred_frame_scores, padded.pred_frame_scores,
                          rtol=0, atol=1e-6)
    np.testing.assert_array_equal(plain.pred_segments, padded.pred_segments)
    np.testing.assert_allclose(plain.pred_segment_scores,
                               padded.pred_segment_scores, rtol=0, atol=1e-6)
    # frame labels with padding appended (argmax of the garbage logits)
    # are scored on the real frames only
    padded.pred_frame_labels = torch.cat([
        padded.pred_frame_labels,
        torch.full((PAD, ), K - 1, dtype=torch.long)
    ])
    plain_metrics, padded_metrics = metric_of([plain]), metric_of([padded])
    assert plain_metrics.keys() == padded_metrics.keys()
    for key, value in plain_metrics.items():
        assert padded_metrics[key] == pytest.approx(value, abs=1e-9), key
    truth = np.full(NUM_VALID, K)
    truth[3:12], truth[15:27] = 0, 1
    accuracy = 100 * np.mean(plain.pred_frame_labels.numpy() == truth)
    assert plain_metrics['acc'] == pytest.approx(accuracy)


def weak_annotation_file(tmp_path):
    """Three sequences with segments (2 classes) and exact frame labels."""
    rng = np.random.default_rng(0)
    segments = ([[2, 10, 0]], [[5, 20, 1], [25, 35, 0]], [[0, 40, 1]])
    samples = [
        labelled_sample(f'seq{i}',
                        rng.normal(size=(1, 40, 25, 3)).astype(np.float32),
                        seg, len(CLASSES)) for i, seg in enumerate(segments)
    ]
    path = tmp_path / 'weak.pkl'
    write_annotation_file(path, samples, CLASSES,
                          dict(train=[s['frame_dir'] for s in samples]))
    return str(path)


WEAK_PIPELINE = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='PadFrames', length=NUM_FRAMES + 3),
    dict(type='FixPersonCount', num_person=1),
    dict(type='PackUntrimmedPoseInputs'),
]


def weak_batch(path):
    dataset = UntrimmedPoseDataset(path, split='train', label_mode='video',
                                   pipeline=WEAK_PIPELINE,
                                   serialize_data=False)
    return pseudo_collate([dataset[i] for i in range(len(dataset))])


def test_weak_training_reads_no_frame_label(tmp_path, monkeypatch):
    path = weak_annotation_file(tmp_path)
    honest = weak_batch(path)
    original = load_annotations(path)

    def with_garbage_frame_labels(_):
        data = load_annotations(path)
        for item in data['annotations']:
            item['frame_labels'] = np.full(item['total_frames'], 99)
        return data

    def without_frame_labels(_):
        data = load_annotations(path)
        for item in data['annotations']:
            del item['frame_labels']
        return data

    model = build_localizer(supervision='weak').eval()

    def weak_loss(batch):
        data = model.data_preprocessor(batch, False)
        with torch.no_grad():
            return model.loss(data['inputs'], data['data_samples'])

    expected = weak_loss(honest)
    for loader in (with_garbage_frame_labels, without_frame_labels):
        monkeypatch.setattr(untrimmed_pose_dataset, 'load_annotations',
                            loader)
        batch = weak_batch(path)
        for data_sample in batch['data_samples']:
            assert bool((data_sample.gt_frame_labels == UNLABELLED).all())
        assert torch.equal(weak_loss(batch)['loss_weak'],
                           expected['loss_weak'])
    # the targets are the classes of each sequence's segments, nothing else
    targets = model.head.video_label_targets(honest['data_samples'], 'cpu')
    assert targets.tolist() == [[1., 0.], [1., 1.], [0., 1.]]
    assert [len(s['segments']) for s in original['annotations']] == [1, 2, 1]


# ---- learned temporal refinement (MS-TCN stages) ----------------------------

REFINEMENT = dict(type='MultiStageRefinement', num_stages=2, num_layers=3,
                  channels=8)
STAGE_LOSSES = {
    'loss_frame', 'loss_smooth', 'loss_frame_stage1', 'loss_smooth_stage1',
    'loss_frame_stage2', 'loss_smooth_stage2'
}


def real_frames(num_valid=(NUM_VALID, NUM_FRAMES)):
    """``(N, NUM_FRAMES)`` bool, the first ``num_valid[n]`` frames real."""
    return torch.arange(NUM_FRAMES)[None] < torch.tensor(num_valid)[:, None]


def test_without_refinement_the_localizer_is_the_head_on_the_neck():
    """``refinement=None`` adds no parameter; the same seed with refinement
    initialises the rest identically, and its first stage is the plain
    model's logits."""
    plain = build_localizer().eval()
    refined = build_localizer(refinement=REFINEMENT).eval()
    assert plain.refinement is None
    refined_state = refined.state_dict()
    assert {k for k in refined_state if not k.startswith('refinement.')} \
        == set(plain.state_dict())
    for key, value in plain.state_dict().items():
        torch.testing.assert_close(refined_state[key], value, rtol=0, atol=0,
                                   msg=key)
    x = skeletons()
    labels = [random_labels(seed=2), random_labels(seed=3)]
    with torch.no_grad():
        ours = plain.loss(x, [sample(labels[0]), sample(labels[1])])
        heads = plain.head.loss(plain.frame_features(x),
                                [sample(labels[0]), sample(labels[1])])
        assert ours.keys() == heads.keys() == {'loss_frame'}
        assert torch.equal(ours['loss_frame'], heads['loss_frame'])
        [ours] = plain.predict(x[:1], [sample(labels[0], num_valid=30)])
        [heads] = plain.head.predict(plain.frame_features(x[:1]),
                                     [sample(labels[0], num_valid=30)])
        assert torch.equal(ours.pred_frame_scores, heads.pred_frame_scores)
        head_logits, *stages = refined.stage_logits(x, real_frames())
        assert torch.equal(head_logits, plain(x))
        assert len(stages) == 2
        assert torch.equal(refined(x), refined.stage_logits(
            x, torch.ones(2, NUM_FRAMES, dtype=torch.bool))[-1])


def hand_mean_cross_entropy(logits, labels, mask):
    """Mean ``-log softmax`` of the label over the real frames."""
    total, count = 0.0, 0
    for n in range(logits.shape[0]):
        for t in torch.nonzero(mask[n]).flatten().tolist():
            column = logits[n, :, t].double()
            total -= float(column.log_softmax(0)[labels[n][t]])
            count += 1
    return total / count


def test_refined_loss_is_every_stages_cross_entropy_and_smoothing():
    model = build_localizer(refinement=REFINEMENT).eval()
    x = skeletons()
    labels = [random_labels(seed=2), random_labels(seed=3)]
    mask = real_frames()
    with torch.no_grad():
        stages = model.stage_logits(x, mask)
        losses = model.loss(x, [sample(labels[0], num_valid=NUM_VALID),
                                sample(labels[1])])
    assert set(losses) == STAGE_LOSSES
    for logits, suffix in zip(stages, ('', '_stage1', '_stage2')):
        assert float(losses[f'loss_frame{suffix}']) == pytest.approx(
            hand_mean_cross_entropy(logits, labels, mask), rel=1e-5)
        assert float(losses[f'loss_smooth{suffix}']) == pytest.approx(
            0.15 * reference_truncated_mse(logits, mask, 4.0), rel=1e-5)


def test_refined_localizer_trains_and_every_stage_gets_gradient():
    model = build_localizer(refinement=REFINEMENT, freeze_backbone=True)
    model.train()
    x = skeletons()
    samples = [sample(random_labels(seed=2), num_valid=NUM_VALID),
               sample(random_labels(seed=3))]
    # the last stage's loss alone reaches the head through every stage
    model.loss(x, samples)['loss_frame_stage2'].backward()
    assert model.head.classifier.weight.grad.abs().sum() > 0
    for stage in model.refinement.stages:
        assert stage.conv_in.weight.grad.abs().sum() > 0
    model.zero_grad()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.5))
    losses = model.train_step(dict(inputs=list(x), data_samples=samples),
                              wrapper)
    assert set(losses) == STAGE_LOSSES | {'loss'}
    assert losses['loss'].item() == pytest.approx(
        sum(losses[key].item() for key in STAGE_LOSSES), rel=1e-5)
    after = model.state_dict()
    for name, _ in model.named_parameters():
        if not name.startswith('backbone.'):
            assert not torch.equal(before[name], after[name]), name


def test_refined_predictions_are_the_softmax_of_the_last_stage():
    model = build_localizer(refinement=REFINEMENT).eval()
    x = skeletons(1)
    with torch.no_grad():
        stages = model.stage_logits(x, real_frames((NUM_VALID, )))
        [result] = model.predict(
            x, [sample(torch.zeros(NUM_FRAMES), num_valid=NUM_VALID)])
    last = F.softmax(stages[-1][0, :, :NUM_VALID], dim=0)
    assert torch.allclose(result.pred_frame_scores, last, atol=1e-6)
    assert torch.equal(result.pred_frame_labels, last.argmax(0))
    head = F.softmax(stages[0][0, :, :NUM_VALID], dim=0)
    assert not torch.allclose(result.pred_frame_scores, head, atol=1e-3)


def test_refined_loss_and_predictions_ignore_padded_frames(monkeypatch):
    """The refinement reads the samples' frame_mask: adversarial padding
    logits and labels change neither the loss nor the predictions."""
    model = build_localizer(refinement=REFINEMENT,
                            postprocess=dict(thresholds=(0.3, 0.5))).eval()
    logits = real_logits()
    labels = torch.randint(0, K + 1, (2, NUM_VALID),
                           generator=torch.Generator().manual_seed(3))
    garbage_labels = torch.tensor([99, -1, 0, K, 5, 1, 99])

    def outputs(inputs, head_logits, padding):
        monkeypatch.setattr(model.head, 'forward',
                            lambda features: head_logits)
        samples = [sample(torch.cat([labels[n], garbage_labels[:padding]]),
                          num_valid=NUM_VALID, total_frames=NUM_VALID)
                   for n in range(2)]
        with torch.no_grad():
            return model.loss(inputs, samples), model.predict(
                inputs, samples)

    plain_loss, plain = outputs(skeletons(num_frames=NUM_VALID), logits, 0)
    padded_loss, padded = outputs(skeletons(), padded_logits(logits), PAD)
    assert plain_loss.keys() == padded_loss.keys() == STAGE_LOSSES
    for key, value in plain_loss.items():
        assert torch.allclose(padded_loss[key], value, atol=1e-6), key
    for ours, theirs in zip(plain, padded):
        assert torch.allclose(ours.pred_frame_scores,
                              theirs.pred_frame_scores, rtol=0, atol=1e-6)
        np.testing.assert_array_equal(ours.pred_segments,
                                      theirs.pred_segments)


def test_refinement_refuses_weak_supervision():
    with pytest.raises(ValueError,
                       match="refinement needs supervision='frame'"):
        build_localizer(supervision='weak', refinement=REFINEMENT)

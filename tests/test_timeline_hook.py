"""TimelineVisualizationHook from a config's custom_hooks: one PNG per chosen
sequence after testing, with a ground-truth row and a prediction row that
hold the truth and the model's frame labels."""
import os
from types import SimpleNamespace

import matplotlib.image
import numpy as np
import pytest
import torch
from mmengine.runner import Runner

from helpers import labelled_sample, write_annotation_file
from localizer_fixtures import (CLASSES, localizer_config, rounded_skeleton,
                                save_checkpoint)
from mmaction.structures import ActionDataSample
from snippet_plugin.apis import inference_localizer, init_localizer
from snippet_plugin.datasets.annotation import derive_frame_labels
from snippet_plugin.engine.hooks import TimelineVisualizationHook
from snippet_plugin.evaluation.functional import label_runs
from snippet_plugin.visualization import plot_label_timelines

K = len(CLASSES)
SEGMENTS = {'v0': [[3, 12, 0]], 'v1': [[0, 9, 1], [20, 29, 0]],
            'v2': []}


@pytest.fixture(scope='module')
def hook_run(tmp_path_factory):
    """Run ``runner.test()`` with the hook choosing v0, v2 and an unknown
    name; return (work dir, hook, checkpoint, config, annotation file)."""
    folder = tmp_path_factory.mktemp('hook')
    ann = folder / 'ann.pkl'
    samples = [labelled_sample(name, rounded_skeleton(29 + 4 * i, seed=i),
                               segments, K)
               for i, (name, segments) in enumerate(SEGMENTS.items())]
    write_annotation_file(ann, samples, CLASSES, dict(val=list(SEGMENTS)))
    cfg = localizer_config(ann_file=str(ann))
    checkpoint = folder / 'epoch_1.pth'
    save_checkpoint(cfg, checkpoint, seed=2)
    runner = Runner(
        model=cfg.model, work_dir=str(folder / 'work'),
        test_dataloader=cfg.test_dataloader,
        test_evaluator=cfg.test_evaluator, test_cfg=cfg.test_cfg,
        load_from=str(checkpoint), default_scope='mmaction',
        custom_hooks=[dict(type='TimelineVisualizationHook',
                           sequences=['v0', 'v2', 'absent'],
                           model_name='tiny')])
    runner.test()
    [hook] = [h for h in runner.hooks
              if isinstance(h, TimelineVisualizationHook)]
    return runner.log_dir, hook, str(checkpoint), cfg, ann


def test_one_png_per_chosen_sequence_seen(hook_run):
    log_dir, hook, *_ = hook_run
    written = sorted(os.listdir(os.path.join(log_dir, 'timelines')))
    assert written == ['v0_test.png', 'v2_test.png']
    image = matplotlib.image.imread(
        os.path.join(log_dir, 'timelines', 'v0_test.png'))
    assert image.shape[1] > image.shape[0] > 50
    assert set(hook.collected) == {'v0', 'v2'}


def bars_per_row(figure):
    """``{row bottom y: number of bars}`` of the timeline axes."""
    [ax] = figure.axes
    counts = {}
    for collection in ax.collections:
        for path in collection.get_paths():
            bottom = round(float(path.vertices[:, 1].min()), 3)
            counts[bottom] = counts.get(bottom, 0) + 1
    return counts


def test_rows_are_the_truth_and_the_model_labels(hook_run):
    _, hook, checkpoint, cfg, ann = hook_run
    model = init_localizer(cfg, checkpoint)
    for name in ('v0', 'v2'):
        seen = hook.collected[name]
        expected = inference_localizer(model, str(ann), sample=name)
        assert seen['pred_frame_labels'].tolist() == \
            expected.frame_labels.tolist()
        truth = derive_frame_labels(SEGMENTS[name], seen['total_frames'], K)
        figure = hook.figure(name, CLASSES)
        [ax] = figure.axes
        assert [t.get_text() for t in ax.texts] == ['ground truth', 'tiny']
        assert bars_per_row(figure) == {
            1.0: len(label_runs(truth)),
            0.0: len(label_runs(seen['pred_frame_labels']))}


def fake_runner(tmp_path, epoch):
    dataset = SimpleNamespace(metainfo=dict(classes=list(CLASSES)))
    loop = SimpleNamespace(dataloader=SimpleNamespace(dataset=dataset))
    return SimpleNamespace(val_loop=loop, epoch=epoch,
                           log_dir=str(tmp_path))


def predicted_sample(name, labels, segments):
    sample = ActionDataSample(metainfo=dict(
        frame_dir=name, total_frames=len(labels),
        gt_segments=np.asarray(segments).reshape(-1, 3)))
    sample.set_field(torch.tensor(labels), 'pred_frame_labels')
    return sample


def test_validation_files_carry_the_epoch_and_restart_each_epoch(tmp_path):
    hook = TimelineVisualizationHook(['a/b'], out_dir=str(tmp_path / 'vis'))
    runner = fake_runner(tmp_path, epoch=3)
    hook.before_val_epoch(runner)
    hook.after_val_iter(runner, 0, outputs=[
        predicted_sample('a/b', [2, 0, 0, 1], [[1, 3, 0]]),
        predicted_sample('other', [2, 2], [])])
    hook.after_val_epoch(runner)
    assert (tmp_path / 'vis' / 'a_b_val_epoch3.png').is_file()
    assert list(hook.collected) == ['a/b']
    assert hook.collected['a/b']['pred_frame_labels'].tolist() == [2, 0, 0, 1]
    hook.before_val_epoch(runner)
    assert hook.collected == {}


@pytest.mark.parametrize('sequences', [[], 'v0', None])
def test_sequences_must_be_a_list_of_names(sequences):
    with pytest.raises(ValueError, match='non-empty list of frame_dir'):
        TimelineVisualizationHook(sequences)


def test_timeline_rows_must_share_their_length():
    with pytest.raises(ValueError, match=r'one length, got \[3, 4\] frames'):
        plot_label_timelines([('a', np.zeros(3)), ('b', np.zeros(4))],
                             CLASSES)


def test_compare_tool_draws_truth_and_every_model(tmp_path, load_tool,
                                                  monkeypatch):
    compare = load_tool('analysis/compare_localization')
    drawn = []
    real = compare.plot_label_timelines
    monkeypatch.setattr(compare, 'plot_label_timelines',
                        lambda rows, classes, title: drawn.append(
                            rows) or real(rows, classes, title))
    dump = [dict(frame_dir='v', total_frames=6,
                 gt_segments=np.array([[1, 3, 0]]),
                 pred_frame_labels=np.array([2, 0, 0, 1, 1, 2]))]
    other = [dict(dump[0], pred_frame_labels=np.full(6, 2))]
    out = tmp_path / 'fig4.png'
    compare.draw_timelines(dict(A=dump, B=other), CLASSES, 'v', str(out))
    assert out.is_file()
    [rows] = drawn
    assert [(name, labels.tolist()) for name, labels in rows] == [
        ('ground truth', [2, 0, 0, 2, 2, 2]), ('A', [2, 0, 0, 1, 1, 2]),
        ('B', [2] * 6)]

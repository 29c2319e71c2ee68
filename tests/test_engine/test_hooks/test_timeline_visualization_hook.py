"""TimelineVisualizationHook from a config's custom_hooks: one PNG per chosen
sequence after testing, with a ground-truth row and a prediction row that hold
the truth and the model's frame labels; validation files carry the epoch;
under DDP each sequence is drawn by one rank only."""
import json
import os
from types import SimpleNamespace

import matplotlib.image
import numpy as np
import pytest
import torch
from mmengine.runner import Runner

from mmaction.structures import ActionDataSample
from snippet_plugin.apis import inference_localizer, init_localizer
from snippet_plugin.datasets.annotation import derive_frame_labels
from snippet_plugin.engine.hooks import TimelineVisualizationHook
from snippet_plugin.engine.hooks.timeline_visualization_hook import \
    lowest_rank_per_name
from snippet_plugin.evaluation.functional import label_runs
from helpers import labelled_sample, run_on_two_gloo_ranks, \
    write_annotation_file
from localizer_fixtures import (CLASSES, localizer_config, rounded_skeleton,
                                save_checkpoint)

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


def test_each_name_goes_to_the_lowest_rank_that_holds_it():
    assert lowest_rank_per_name([['b'], ['a', 'b'], ['c', 'a']]) == \
        dict(b=0, a=1, c=2)
    assert lowest_rank_per_name([[], []]) == {}


# ---- under DDP --------------------------------------------------------------

RANK_BODY = '''
import json
import os
from types import SimpleNamespace
from unittest import mock

import numpy as np
import torch


def run(rank, out):
    from mmaction.structures import ActionDataSample
    from snippet_plugin.engine.hooks import TimelineVisualizationHook
    hook = TimelineVisualizationHook(
        ['shared', 'only0', 'only1', 'absent'],
        out_dir=os.path.join(out, f'rank{rank}'))
    dataset = SimpleNamespace(metainfo=dict(classes=['walk', 'kick']))
    loop = SimpleNamespace(dataloader=SimpleNamespace(dataset=dataset))
    runner = SimpleNamespace(test_loop=loop, log_dir=out)
    samples = []
    for name in ('shared', f'only{rank}'):
        sample = ActionDataSample(metainfo=dict(
            frame_dir=name, total_frames=3, gt_segments=np.zeros((0, 3))))
        sample.set_field(torch.tensor([0, 1, 2]), 'pred_frame_labels')
        samples.append(sample)
    hook.before_test_epoch(runner)
    hook.after_test_iter(runner, 0, outputs=samples)
    target = 'snippet_plugin.engine.hooks.timeline_visualization_hook.print_log'
    with mock.patch(target) as log:
        hook.after_test_epoch(runner)
    warnings = [call.args[0] for call in log.call_args_list
                if call.kwargs.get('level') == 30]
    with open(os.path.join(out, f'{rank}.json'), 'w') as file:
        files = os.listdir(hook.out_dir) if os.path.isdir(hook.out_dir) \
            else []
        json.dump(dict(files=sorted(files),
                       warnings=warnings), file)
'''


def test_two_ranks_draw_a_shared_sequence_once_and_warn_once(tmp_path):
    """Rank 0 saw ``shared`` and ``only0``, rank 1 ``shared`` (the
    sampler's padding) and ``only1``; nobody saw ``absent``."""
    run_on_two_gloo_ranks(tmp_path, RANK_BODY)
    rank0, rank1 = (json.loads((tmp_path / f'{r}.json').read_text())
                    for r in range(2))
    assert rank0['files'] == ['only0_test.png', 'shared_test.png']
    assert rank1['files'] == ['only1_test.png']
    assert len(rank0['warnings']) == 1 and "['absent']" in \
        rank0['warnings'][0]
    assert rank1['warnings'] == []

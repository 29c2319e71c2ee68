"""Choose a localizer's smoothing window on held-out training sequences."""
from typing import Dict, Optional, Sequence, Union

import torch
from mmengine.hooks import Hook
from torch.utils.data import DataLoader

from mmaction.registry import HOOKS, METRICS
from ..runner_model import unwrapped_model
from ...evaluation.smoothing_selection import (HeldOutScores, fresh_metric,
                                               gather_held_out,
                                               select_smoothing_window,
                                               smoothing_config)


@HOOKS.register_module()
class SmoothingWindowHook(Hook):
    """After the last training epoch, choose the localizer's smoothing
    window among ``candidates_s`` on ``holdout_dataloader``.

    The holdout is a part of the training split the model did not train on
    (``UntrimmedPoseDataset(split='train', part='holdout',
    holdout_fraction=..., holdout_seed=...)`` with a whole-sequence test
    pipeline; the training set reads ``part='fit'`` with the same
    fraction and seed), never the test split. The model predicts it
    unsmoothed, every candidate is scored by ``metric``
    (:func:`~snippet_plugin.evaluation.smoothing_selection.
    select_smoothing_window`), and the best window is set on the model
    (``set_smoothing_window``) before the last checkpoint is saved (this
    hook's priority is above the checkpoint hook's), so validation, testing
    and ``tools/localize.py`` all use it. Models: ``SkeletonLocalizer``.

    Args:
        candidates_s: Windows in seconds to choose from (include 0 to let
            "no smoothing" win).
        holdout_dataloader: Dataloader (or its config) of the held-out
            training sequences; None (default): the config's top-level
            ``holdout_dataloader``, which a derived config can merge into
            (e.g. another ``ann_file``).
        metric: Config of the ``TemporalLocalizationMetric`` that scores
            the candidates (protocol, thresholds); default: the default one.
        postprocess: ``frames_to_segments`` keyword arguments the model
            predicts with; default: the model's ``postprocess``.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, candidates_s: Sequence[float],
                 holdout_dataloader: Union[DataLoader, Dict, None] = None,
                 metric: Optional[dict] = None,
                 postprocess: Optional[dict] = None) -> None:
        self.candidates_s = smoothing_config(
            dict(candidates_s=candidates_s))['candidates_s']
        self.holdout_dataloader = holdout_dataloader
        self.metric = metric or dict(type='TemporalLocalizationMetric')
        self.postprocess = postprocess

    def before_train(self, runner) -> None:
        """Refuse a model that cannot smooth, or no holdout."""
        if self.holdout_dataloader is None:
            self.holdout_dataloader = runner.cfg.get('holdout_dataloader')
            if self.holdout_dataloader is None:
                raise ValueError('SmoothingWindowHook needs a '
                                 'holdout_dataloader: give it one, or set '
                                 'the config key holdout_dataloader')
        model = unwrapped_model(runner)
        if not hasattr(model, 'set_smoothing_window'):
            raise ValueError('SmoothingWindowHook needs a localizer with '
                             '`set_smoothing_window` (SkeletonLocalizer); '
                             f'{type(model).__name__} has none')

    def after_train_epoch(self, runner) -> None:
        """On the last epoch, choose the window and set it on the model."""
        if not self.is_last_train_epoch(runner):
            return
        model = unwrapped_model(runner)
        if isinstance(self.holdout_dataloader, dict):
            self.holdout_dataloader = runner.build_dataloader(
                self.holdout_dataloader, seed=runner.seed)
        classes = self.holdout_dataloader.dataset.metainfo['classes']
        metric = METRICS.build(self.metric)
        choice = select_smoothing_window(
            gather_held_out(self.held_out_scores(model)), self.candidates_s,
            lambda: fresh_metric(metric, classes), len(classes),
            self.postprocess if self.postprocess is not None else
            model.postprocess)
        model.set_smoothing_window(choice.window_s)
        runner.message_hub.update_info('smoothing_choice', choice.scores)

    def held_out_scores(self, model) -> list:
        """This rank's held-out sequences with the model's unsmoothed frame
        scores."""
        was_training = model.training
        model.eval()
        model.set_smoothing_window(None)
        scored = []
        with torch.no_grad():
            for data_batch in self.holdout_dataloader:
                scored += [HeldOutScores.from_prediction(sample)
                           for sample in model.test_step(data_batch)]
        model.train(was_training)
        return scored

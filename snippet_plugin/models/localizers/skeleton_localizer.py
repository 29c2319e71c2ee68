"""Frame-wise skeleton action localizer (paper Sec. 3.2, Stage 2).

``backbone (MultiScaleGCN) -> neck (UShapeNeck, Eq. 8, or LastLevelUpsample)
-> FramewiseLocalizationHead [-> MultiStageRefinement]``: skeleton clips
``(N, M, T, V, C)`` become frame logits ``(N, K + 1, T)`` (background
last), optionally refined by MS-TCN stages. Losses and predictions are the
head's (and the refinement's), as in MMAction2's ``RecognizerGCN``.
"""
import copy
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.model import BaseModel
from torch import nn

from mmaction.registry import MODELS
from ..heads.framewise_head import check_supervision
from .pretrained_backbone import load_pretrained_backbone

NO_SMOOTHING = -1.0
"""The ``smoothing_s`` buffer's value for "do not smooth"."""


@MODELS.register_module()
class SkeletonLocalizer(BaseModel):
    """GCN backbone + multiscale neck + frame-wise classifier.

    Channel wiring: a neck config without ``in_channels`` gets the
    backbone's ``out_channels`` (one entry per level); a head config
    without ``in_channels`` gets the neck's ``out_channels``. With
    ``neck=None`` the neck is :class:`LastLevelUpsample` (the coarsest level
    resampled to ``T``, nearest).

    Training hands the neck's ``(N, C, T)`` features and the data samples
    to :meth:`FramewiseLocalizationHead.loss` with ``supervision``
    (``'frame'``: ``loss_frame``; ``'weak'``: ``loss_weak`` from video
    labels); prediction to :meth:`FramewiseLocalizationHead.predict` with
    the same ``supervision`` (its frame scores read the logits that
    supervision trains) and the ``postprocess`` keyword arguments, whose defaults are the paper's
    (:func:`~snippet_plugin.evaluation.functional.frames_to_segments`).

    Learned temporal refinement (``refinement``, e.g.
    ``dict(type='MultiStageRefinement', num_stages=2, num_layers=10,
    channels=64)``; MS-TCN, Farha & Gall, CVPR 2019, as MS-GCN stacks it
    on a GCN): :class:`~snippet_plugin.models.heads.MultiStageRefinement`
    refines the head's logits stage by stage, masked by the samples'
    ``frame_mask``. Training supervises every stage
    (:meth:`MultiStageRefinement.loss` with the head's ``loss_frame``:
    ``loss_frame``, ``loss_smooth`` for the head, ``loss_frame_stage{s}``,
    ``loss_smooth_stage{s}`` for the refinement stages); prediction and
    ``'tensor'`` mode read the last stage's logits. Frame supervision
    only. ``refinement=None`` is the plain localizer.

    Temporal smoothing of the frame scores before the proposals
    (:func:`~snippet_plugin.evaluation.functional.smooth_frame_scores`):
    ``postprocess=dict(smoothing_s=S)`` fixes a window of ``S`` seconds at
    each sample's fps; :class:`~snippet_plugin.engine.hooks.
    SmoothingWindowHook` chooses it on held-out training sequences after
    training. The window lives in the buffer :attr:`smoothing_s` (-1: no
    smoothing, the paper's post-processing), so the checkpoint carries it
    to ``tools/test.py`` and ``tools/localize.py``; a checkpoint saved
    before it existed loads as the config says.

    Linear evaluation (``freeze_backbone=True``): backbone parameters get
    ``requires_grad=False``, the backbone runs under ``no_grad`` and stays
    in eval mode whatever :meth:`train` is called with, so its BN running
    statistics never move.

    Pretrained backbone (``pretrained``): loaded by :meth:`init_weights`
    after the random initialisation (mmengine's runner calls it before
    training; call it yourself otherwise) with
    :func:`~snippet_plugin.models.localizers.pretrained_backbone.load_pretrained_backbone`.

    Args:
        backbone (dict): :class:`MultiScaleGCN` config.
        head (dict): :class:`FramewiseLocalizationHead` config.
        neck (dict, optional): :class:`UShapeNeck` (or other neck taking
            ``(levels, num_frames)``) config; None for
            :class:`LastLevelUpsample`.
        supervision (str): ``'frame'`` or ``'weak'``. Defaults to
            ``'frame'``.
        freeze_backbone (bool): Linear evaluation. Defaults to False.
        postprocess (dict, optional): Keyword arguments of
            ``frames_to_segments`` other than ``background_id``, and
            ``smoothing_s`` (seconds, see above).
        pretrained (str, optional): Checkpoint with a pretrained backbone.
        refinement (dict, optional): :class:`MultiStageRefinement` config;
            ``num_classes`` defaults to the head's. None (default): none.
        data_preprocessor (dict or nn.Module): Defaults to
            ``dict(type='ActionDataPreprocessor')``.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 backbone: Dict,
                 head: Dict,
                 neck: Optional[Dict] = None,
                 supervision: str = 'frame',
                 freeze_backbone: bool = False,
                 postprocess: Optional[Dict] = None,
                 pretrained: Optional[str] = None,
                 refinement: Optional[Dict] = None,
                 data_preprocessor: Union[Dict, nn.Module] = dict(
                     type='ActionDataPreprocessor'),
                 init_cfg=None) -> None:
        check_supervision(supervision)
        if 'background_id' in (postprocess or {}):
            raise ValueError('postprocess must not set background_id: the '
                             'localizer uses the background id K')
        if refinement is not None and supervision != 'frame':
            raise ValueError(
                "refinement needs supervision='frame', got "
                f'{supervision!r}: its stages read and are trained on softmax '
                'frame probabilities, whose background row the weak loss '
                'never trains')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        neck = copy.deepcopy(neck) if neck is not None else dict(
            type='LastLevelUpsample')
        neck.setdefault('in_channels', list(self.backbone.out_channels))
        self.neck = MODELS.build(neck)
        head = copy.deepcopy(head)
        head.setdefault('in_channels', self.neck.out_channels)
        self.head = MODELS.build(head)
        self.refinement = None
        if refinement is not None:
            refinement = copy.deepcopy(refinement)
            refinement.setdefault('num_classes', self.head.num_classes)
            self.refinement = MODELS.build(refinement)
        self.supervision = supervision
        self.freeze_backbone = freeze_backbone
        self.postprocess = dict(postprocess or {})
        smoothing_s = self.postprocess.pop('smoothing_s', None)
        self.register_buffer('smoothing_s', torch.tensor(
            NO_SMOOTHING if smoothing_s is None else float(smoothing_s),
            dtype=torch.float64))
        self.pretrained = pretrained
        if freeze_backbone:
            self.backbone.requires_grad_(False)
            self.backbone.eval()

    @property
    def num_classes(self) -> int:
        """``K``, action classes without background (= background id)."""
        return self.head.num_classes

    def train(self, mode: bool = True) -> 'SkeletonLocalizer':
        """Set the mode; a frozen backbone always stays in eval mode."""
        super().train(mode)
        if self.freeze_backbone:
            self.backbone.eval()
        return self

    def set_smoothing_window(self, seconds: Optional[float]) -> None:
        """Smooth predictions over ``seconds`` (None: not at all)."""
        if seconds is not None and not seconds >= 0:
            raise ValueError(f'smoothing window must be >= 0 s, got {seconds}')
        self.smoothing_s.fill_(NO_SMOOTHING if seconds is None else seconds)

    @property
    def smoothing_window_s(self) -> Optional[float]:
        """The smoothing window in seconds, None when predictions are not
        smoothed."""
        value = float(self.smoothing_s)
        return None if value == NO_SMOOTHING else value

    def _load_from_state_dict(self, state_dict, prefix, *args,
                              **kwargs) -> None:
        """Keep the configured smoothing window when loading a checkpoint
        saved before the localizer carried one."""
        state_dict.setdefault(prefix + 'smoothing_s', self.smoothing_s)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def init_weights(self) -> None:
        """Random initialisation, then the ``pretrained`` backbone."""
        super().init_weights()
        if self.pretrained is not None:
            load_pretrained_backbone(self.backbone, self.pretrained)

    def extract_feat(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Backbone levels ``(N, C_l, T_l)`` of inputs ``(N, M, T, V, C)``
        (without gradient when the backbone is frozen)."""
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.freeze_backbone):
            return self.backbone(inputs)

    def frame_features(self, inputs: torch.Tensor) -> torch.Tensor:
        """The neck's fusion of the levels back at the input's frames.

        Args: inputs ``(N, M, T, V, C)``. Returns ``(N, C_neck, T)``."""
        return self.neck(self.extract_feat(inputs), inputs.shape[2])

    def stage_logits(self, inputs: torch.Tensor,
                     frame_mask: torch.Tensor) -> List[torch.Tensor]:
        """The head's logits ``(N, K + 1, T)``, then each refinement
        stage's (the head's only without ``refinement``).

        Args: inputs ``(N, M, T, V, C)``; frame_mask ``(N, T)`` bool, True
        on real frames (read by the refinement only)."""
        logits = self.head(self.frame_features(inputs))
        if self.refinement is None:
            return [logits]
        return [logits, *self.refinement(logits, frame_mask)]

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """``'tensor'``: the last stage's logits ``(N, K + 1, T)`` (every
        frame real); ``'loss'``: :meth:`loss`; ``'predict'``:
        :meth:`predict`."""
        if mode == 'tensor':
            every_frame = inputs.new_ones((inputs.shape[0], inputs.shape[2]),
                                          dtype=torch.bool)
            return self.stage_logits(inputs, every_frame)[-1]
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode {mode!r}; expected tensor, loss '
                           'or predict')

    def loss(self, inputs: torch.Tensor,
             data_samples: List) -> Dict[str, torch.Tensor]:
        """Args: inputs ``(N, M, T, V, C)`` and their data samples.
        Returns ``loss_frame`` or ``loss_weak``
        (:meth:`FramewiseLocalizationHead.loss`); with ``refinement``,
        every stage's losses (:meth:`MultiStageRefinement.loss`)."""
        if self.refinement is None:
            return self.head.loss(self.frame_features(inputs), data_samples,
                                  self.supervision)
        mask = self.head.frame_mask(data_samples, inputs.device)
        labels = self.head.frame_label_targets(data_samples, inputs.device)
        return self.refinement.loss(
            self.stage_logits(inputs, mask), labels, mask,
            self.head.loss_frame)

    def predict(self, inputs: torch.Tensor, data_samples: List) -> List:
        """Args: inputs ``(N, M, T, V, C)`` and their data samples. Returns
        the samples with frame scores and segments in original frames, from
        the last stage's logits
        (:meth:`FramewiseLocalizationHead.predict_by_logits`)."""
        mask = self.head.frame_mask(data_samples, inputs.device)
        return self.head.predict_by_logits(
            self.stage_logits(inputs, mask)[-1], data_samples,
            self.supervision, smoothing_s=self.smoothing_window_s,
            **self.postprocess)

"""Frame-wise skeleton action localizer (paper Sec. 3.2, Stage 2).

``backbone (MultiScaleGCN) -> neck (UShapeNeck or LastLevelUpsample) ->
FramewiseLocalizationHead``: skeleton clips ``(N, M, T, V, C)`` become
frame logits ``(N, K + 1, T)`` (background last), trained with frame labels
or video labels, and turned into scored segments in original frame
coordinates at test time.
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModel
from torch import nn

from mmaction.registry import MODELS
from ...evaluation.predictions import set_frame_predictions
from ...utils.checkpoint import load_checkpoint_file

SUPERVISIONS = ('frame', 'weak')

#: Key prefixes under which a checkpoint may hold the backbone, tried in
#: order: a :class:`SkeletonMoCo` query encoder, a localizer (or any model
#: with a ``backbone`` attribute), then a plain :class:`MultiScaleGCN` state
#: dict (no prefix; its own keys start with ``backbone.`` too, for the
#: wrapped GCN).
BACKBONE_PREFIXES = ('encoder_q.backbone.', 'backbone.', '')


def backbone_state_from_checkpoint(
        checkpoint: dict, backbone_keys: Sequence[str]) -> Dict[str, object]:
    """The backbone entries of a checkpoint, renamed to backbone keys.

    For each prefix of :data:`BACKBONE_PREFIXES` in turn, the entries whose
    key carries it are taken with the prefix stripped; the first prefix for
    which some stripped key is in ``backbone_keys`` wins. Other entries (the
    MoCo key encoder ``encoder_k.module.backbone.*``, heads, queues) are
    ignored.

    Args:
        checkpoint: A loaded checkpoint: a state dict, or a dict with
            ``'state_dict'`` (mmengine's format).
        backbone_keys: The state-dict keys of the backbone to fill.

    Returns:
        dict: Renamed entries of the winning prefix, possibly with keys
        outside ``backbone_keys`` (unexpected for the loader); empty if no
        prefix matches any backbone key.
    """
    state = checkpoint.get('state_dict', checkpoint)
    wanted = set(backbone_keys)
    for prefix in BACKBONE_PREFIXES:
        selected = {key[len(prefix):]: value for key, value in state.items()
                    if key.startswith(prefix)}
        if wanted & set(selected):
            return selected
    return {}


@MODELS.register_module()
class SkeletonLocalizer(BaseModel):
    """GCN backbone + multiscale neck + frame-wise classifier.

    Channel wiring: a neck config without ``in_channels`` gets the
    backbone's ``out_channels`` (one entry per level); a head config
    without ``in_channels`` gets the neck's ``out_channels``. With
    ``neck=None`` the neck is :class:`LastLevelUpsample` (the coarsest level
    resampled to ``T``, nearest).

    Supervision:

    * ``'frame'``: :meth:`FramewiseLocalizationHead.loss_frame` on the
      samples' ``gt_frame_labels`` and ``frame_mask``; returns
      ``loss_frame``.
    * ``'weak'``: :meth:`FramewiseLocalizationHead.loss_weak` on multi-hot
      video labels ``(N, K)`` from ``gt_labels.item`` (or the metainfo
      ``video_labels``); frame labels are never read; returns ``loss_weak``.

    Linear evaluation (``freeze_backbone=True``): backbone parameters get
    ``requires_grad=False``, the backbone runs under ``no_grad`` and stays
    in eval mode whatever :meth:`train` is called with, so its BN running
    statistics never move.

    Pretrained backbone (``pretrained``): loaded by :meth:`init_weights`
    after the random initialisation (mmengine's runner calls it before
    training; call it yourself otherwise), through
    :func:`~snippet_plugin.utils.checkpoint.load_checkpoint_file` (no
    arbitrary unpickling). Keys are mapped by
    :func:`backbone_state_from_checkpoint` (``encoder_q.backbone.*`` of a
    :class:`SkeletonMoCo` checkpoint, ``backbone.*`` of a localizer, or a
    plain :class:`MultiScaleGCN` state dict) and loaded with ``strict=False``;
    missing and unexpected keys are logged. A checkpoint with no matching
    backbone key raises ``ValueError`` naming the file.

    Prediction (:meth:`predict`): softmax probabilities ``(K + 1, T)`` per
    sample (zero on padding), mapped to the original frames through
    ``frame_inds``, then
    :func:`~snippet_plugin.evaluation.functional.frames_to_segments` with
    ``background_id = K`` and the ``postprocess`` keyword arguments. Its
    defaults are the paper's: thresholds 0.030..0.050 (the public code's,
    for softmax probabilities), runs of >= 3 frames, score = inner mean -
    0.6 x the 25 % outer margins' mean, NMS at 0.2 (overlap over the
    lower-scored segment's length).

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
            ``frames_to_segments`` other than ``background_id``.
        pretrained (str, optional): Checkpoint with a pretrained backbone.
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
                 data_preprocessor: Union[Dict, nn.Module] = dict(
                     type='ActionDataPreprocessor'),
                 init_cfg=None) -> None:
        if supervision not in SUPERVISIONS:
            raise ValueError(f'supervision must be one of {SUPERVISIONS}, '
                             f'got {supervision!r}')
        if 'background_id' in (postprocess or {}):
            raise ValueError('postprocess must not set background_id: the '
                             'localizer uses the background id K')
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
        self.supervision = supervision
        self.freeze_backbone = freeze_backbone
        self.postprocess = dict(postprocess or {})
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

    def init_weights(self) -> None:
        """Random initialisation, then the ``pretrained`` backbone."""
        super().init_weights()
        if self.pretrained is not None:
            self.load_pretrained_backbone(self.pretrained)

    def load_pretrained_backbone(self, path: str) -> None:
        """Load the backbone weights of the checkpoint at ``path``.

        Raises:
            ValueError: if no entry of the checkpoint is a backbone weight,
                or a matched weight has the wrong shape.
            UnsafeCheckpointError: if the file needs unsafe unpickling.
        """
        checkpoint = load_checkpoint_file(path, map_location='cpu')
        if not isinstance(checkpoint, dict):
            raise ValueError(f'{path}: expected a state dict, got '
                             f'{type(checkpoint).__name__}')
        own_keys = list(self.backbone.state_dict())
        state = backbone_state_from_checkpoint(checkpoint, own_keys)
        if not state:
            raise ValueError(
                f'{path}: no backbone weight found (looked for MultiScaleGCN '
                f'keys such as {own_keys[0]!r} under the prefixes '
                f'{BACKBONE_PREFIXES})')
        own_state = self.backbone.state_dict()
        misfits = [
            f'{key}: checkpoint {tuple(value.shape)}, model '
            f'{tuple(own_state[key].shape)}' for key, value in state.items()
            if key in own_state and value.shape != own_state[key].shape
        ]
        if misfits:  # checked first: nothing is loaded from a misfit file
            raise ValueError(f'{path}: backbone weights do not fit (was the '
                             'checkpoint made with another backbone or '
                             f'width?): {"; ".join(misfits)}')
        result = self.backbone.load_state_dict(state, strict=False)
        print_log(f'Loaded {len(state) - len(result.unexpected_keys)} '
                  f'backbone entries from {path}', logger='current')
        if result.missing_keys:
            print_log(f'{path}: missing backbone keys {result.missing_keys}',
                      logger='current', level=30)
        if result.unexpected_keys:
            print_log(f'{path}: unexpected backbone keys '
                      f'{result.unexpected_keys}', logger='current',
                      level=30)

    def extract_feat(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Backbone levels ``(N, C_l, T_l)`` of inputs ``(N, M, T, V, C)``
        (without gradient when the backbone is frozen)."""
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.freeze_backbone):
            return self.backbone(inputs)

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        """Args: inputs ``(N, M, T, V, C)``. Returns ``(N, K + 1, T)``."""
        features = self.neck(self.extract_feat(inputs), inputs.shape[2])
        return self.head(features)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """``'tensor'``: logits ``(N, K + 1, T)``; ``'loss'``:
        :meth:`loss`; ``'predict'``: :meth:`predict`."""
        if mode == 'tensor':
            return self.logits(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode {mode!r}; expected tensor, loss '
                           'or predict')

    @staticmethod
    def _frame_mask(data_samples: List, device) -> torch.Tensor:
        """``(N, T)`` bool stacked ``frame_mask`` of the samples."""
        return torch.stack([s.frame_mask for s in data_samples]).to(
            device=device, dtype=torch.bool)

    def video_label_targets(self, data_samples: List,
                            device) -> torch.Tensor:
        """Multi-hot ``(N, K)`` float video labels of the samples.

        Read from ``gt_labels.item`` (class ids), else the metainfo
        ``video_labels``.
        """
        targets = torch.zeros(len(data_samples), self.num_classes,
                              device=device)
        for row, sample in enumerate(data_samples):
            if 'gt_labels' in sample and 'item' in sample.gt_labels:
                ids = sample.gt_labels.item
            else:
                ids = sample.metainfo.get('video_labels', [])
            ids = torch.as_tensor(ids, dtype=torch.long).reshape(-1)
            if bool(((ids < 0) | (ids >= self.num_classes)).any()):
                raise ValueError(f'video label ids {ids.tolist()} outside '
                                 f'[0, {self.num_classes})')
            targets[row, ids.to(device)] = 1
        return targets

    def loss(self, inputs: torch.Tensor,
             data_samples: List) -> Dict[str, torch.Tensor]:
        """The loss of the chosen supervision.

        Args:
            inputs (Tensor): ``(N, M, T, V, C)``.
            data_samples (list[ActionDataSample]): with ``frame_mask``
                ``(T,)`` and, for ``'frame'``, ``gt_frame_labels`` ``(T,)``;
                for ``'weak'``, ``gt_labels`` (or metainfo
                ``video_labels``).

        Returns:
            dict: ``loss_frame`` or ``loss_weak``.
        """
        logits = self.logits(inputs)
        mask = self._frame_mask(data_samples, logits.device)
        if self.supervision == 'weak':
            targets = self.video_label_targets(data_samples, logits.device)
            return dict(loss_weak=self.head.loss_weak(logits, targets, mask))
        labels = torch.stack([s.gt_frame_labels for s in data_samples]).to(
            logits.device)
        return dict(loss_frame=self.head.loss_frame(logits, labels, mask))

    def predict(self, inputs: torch.Tensor, data_samples: List) -> List:
        """Segments and frame scores in original frame coordinates.

        Each data sample must hold its whole sequence once (see the class
        docstring). Sets on each sample: metainfo ``pred_segments`` int64
        ``(S, 3)`` ``[start, end, class]`` (half-open, original frames) and
        ``pred_segment_scores`` ``(S,)``; fields ``pred_frame_scores``
        float ``(K + 1, T_ori)`` (CPU) and ``pred_frame_labels`` long
        ``(T_ori,)`` (argmax).

        Args:
            inputs (Tensor): ``(N, M, T, V, C)``.
            data_samples (list[ActionDataSample]): with ``frame_mask``,
                ``frame_inds`` (optional) and metainfo ``total_frames``.

        Returns:
            list[ActionDataSample]: ``data_samples``, filled in.
        """
        logits = self.logits(inputs)
        mask = self._frame_mask(data_samples, logits.device)
        probs = self.head.predict(logits, mask).float()
        for sample_probs, valid, sample in zip(probs, mask, data_samples):
            set_frame_predictions(sample, sample_probs[:, valid], valid,
                                  self.num_classes, **self.postprocess)
        return data_samples

"""Frame-wise classifier over ``K`` action classes + background (Sec. 3.2),
with a fully supervised and a weakly supervised (video-label) loss."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from mmaction.registry import MODELS
from ...evaluation.predictions import set_frame_predictions

SUPERVISIONS = ('frame', 'weak')
"""What :meth:`FramewiseLocalizationHead.loss` trains on."""


def check_supervision(supervision: str) -> None:
    """Raise ``ValueError`` naming :data:`SUPERVISIONS` for any other
    value."""
    if supervision not in SUPERVISIONS:
        raise ValueError(f'supervision must be one of {SUPERVISIONS}, '
                         f'got {supervision!r}')


@MODELS.register_module()
class FramewiseLocalizationHead(BaseModule):
    """Per-frame linear classifier: ``(N, C, T) -> logits (N, K + 1, T)``.

    Channel ``K`` (the last) is background, as in the annotation convention
    (background id = ``len(classes)``). The classifier is a 1x1 Conv1d, i.e.
    the same linear layer applied to every frame, after optional dropout.

    Padding is given by ``frame_mask (N, T)`` (True = real frame); no loss
    or prediction ever depends on the logits or labels of padded frames.

    Prediction reads exactly the logits its supervision trains
    (:meth:`frame_probabilities`): a softmax over all ``K + 1`` rows after
    :meth:`loss_frame`; after :meth:`loss_weak`, which never reaches the
    background row, independent sigmoids of the ``K`` action rows, with
    background derived from them, so the untrained background logit cannot
    move a weak model's predictions.

    On data samples (as MMAction2's heads): :meth:`loss` reads the samples'
    labels and ``frame_mask``; :meth:`predict` writes frame scores, frame
    labels and segments into them. The tensor-level pieces are
    :meth:`loss_frame`, :meth:`loss_weak` and :meth:`frame_probabilities`.

    Args:
        in_channels (int): ``C``.
        num_classes (int): ``K``, action classes without background.
        dropout (float): Dropout probability before the classifier.
            Defaults to 0.
        loss_weight (float): Factor on both losses. Defaults to 1.
        class_weight (Sequence[float], optional): ``K + 1`` weights for
            :meth:`loss_frame` (background last). Defaults to uniform.
        weak_topk_ratio (float): Fraction of a video's valid frames whose
            top logits :meth:`loss_weak` averages, in ``(0, 1]``. Defaults
            to 1/8.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 dropout: float = 0.0,
                 loss_weight: float = 1.0,
                 class_weight: Optional[Sequence[float]] = None,
                 weak_topk_ratio: float = 1 / 8,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 0 < weak_topk_ratio <= 1:
            raise ValueError(f'weak_topk_ratio must be in (0, 1], got '
                             f'{weak_topk_ratio}')
        if class_weight is not None and len(class_weight) != num_classes + 1:
            raise ValueError(
                f'class_weight needs num_classes + 1 = {num_classes + 1} '
                f'entries (background last), got {len(class_weight)}')
        self.num_classes = num_classes
        self.loss_weight = loss_weight
        self.weak_topk_ratio = weak_topk_ratio
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Conv1d(in_channels, num_classes + 1, 1)
        self.register_buffer(
            'class_weight',
            None if class_weight is None else torch.tensor(
                class_weight, dtype=torch.float32),
            persistent=False)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Args: features ``(N, C, T)``. Returns: logits ``(N, K + 1, T)``."""
        return self.classifier(self.dropout(features))

    def loss_frame(self, logits: torch.Tensor, frame_labels: torch.Tensor,
                   frame_mask: torch.Tensor) -> torch.Tensor:
        """Masked frame-wise cross-entropy.

        Supervised frames are those with ``frame_mask`` True and label
        ``>= 0``; the loss is their (class-)weighted mean,
        ``sum_i w[y_i] CE_i / sum_i w[y_i]`` (PyTorch's weighted-mean
        convention; the plain mean without ``class_weight``), times
        ``loss_weight``. Labels of other frames are never read, so padding
        may hold any value. Zero (with gradient) when nothing is supervised.

        Args:
            logits (Tensor): ``(N, K + 1, T)``.
            frame_labels (Tensor): ``(N, T)`` long, ``0 .. K`` or -1
                (unlabelled).
            frame_mask (Tensor): ``(N, T)`` bool, True on real frames.

        Returns:
            Tensor: Scalar loss.
        """
        supervised = frame_mask.bool() & (frame_labels >= 0)
        targets = torch.where(supervised, frame_labels,
                              torch.zeros_like(frame_labels))
        if bool((targets > self.num_classes).any()):
            raise ValueError(
                f'frame label above background id {self.num_classes} on a '
                'supervised frame')
        per_frame = F.cross_entropy(logits, targets, reduction='none')
        weights = supervised.to(logits.dtype)
        if self.class_weight is not None:
            weights = weights * self.class_weight.to(logits.dtype)[targets]
        total = weights.sum()
        if total <= 0:
            return logits.sum() * 0
        return self.loss_weight * (per_frame * weights).sum() / total

    def video_scores(self, logits: torch.Tensor,
                     frame_mask: torch.Tensor) -> torch.Tensor:
        """Top-k mean pooling of the action logits over valid frames.

        For a video with ``T_v`` valid frames, ``k = max(1, ceil(T_v *
        weak_topk_ratio))``; each action class's score is the mean of its
        ``k`` largest logits among the valid frames. Background is left out
        (video labels name action classes only).

        Args:
            logits (Tensor): ``(N, K + 1, T)``.
            frame_mask (Tensor): ``(N, T)`` bool.

        Returns:
            Tensor: ``(N, K)`` video-level logits (0 for a video without
            valid frames).
        """
        mask = frame_mask.bool()[:, None, :]
        actions = logits[:, :self.num_classes]
        ranked = actions.masked_fill(~mask, float('-inf')).sort(
            dim=2, descending=True).values
        num_valid = frame_mask.bool().sum(dim=1)
        k = torch.clamp(
            torch.ceil(num_valid.to(torch.float64) * self.weak_topk_ratio),
            min=1).to(logits.dtype)
        ranks = torch.arange(logits.shape[2], device=logits.device)
        in_topk = (ranks[None, :] < k[:, None]) & (ranks[None, :] <
                                                   num_valid[:, None])
        top_sum = torch.where(in_topk[:, None, :], ranked,
                              torch.zeros_like(ranked)).sum(dim=2)
        return top_sum / k[:, None]

    def loss_weak(self, logits: torch.Tensor, video_labels: torch.Tensor,
                  frame_mask: torch.Tensor) -> torch.Tensor:
        """Multiple-instance loss from video-level labels (FLLR/LINE style).

        Each video is a bag of frames; :meth:`video_scores` turns its frame
        logits into one logit per action class (top-k mean over valid
        frames), scored with binary cross-entropy with logits against the
        multi-hot video labels, averaged over classes and over the videos
        that have at least one valid frame, times ``loss_weight``. Frame
        labels are not an input.

        Args:
            logits (Tensor): ``(N, K + 1, T)``.
            video_labels (Tensor): ``(N, K)`` multi-hot float.
            frame_mask (Tensor): ``(N, T)`` bool.

        Returns:
            Tensor: Scalar loss (zero with gradient if no video has a valid
            frame).
        """
        has_frames = frame_mask.bool().any(dim=1)
        if not bool(has_frames.any()):
            return logits.sum() * 0
        scores = self.video_scores(logits, frame_mask)
        per_class = F.binary_cross_entropy_with_logits(
            scores, video_labels.to(scores.dtype), reduction='none')
        return self.loss_weight * per_class[has_frames].mean()

    def frame_probabilities(self,
                            logits: torch.Tensor,
                            frame_mask: torch.Tensor,
                            supervision: str = 'frame') -> torch.Tensor:
        """Class probabilities per frame, as the ``supervision`` trained
        them.

        * ``'frame'``: ``softmax`` over the ``K + 1`` rows, the distribution
          whose cross-entropy :meth:`loss_frame` minimises.
        * ``'weak'``: :meth:`loss_weak` fits ``sigmoid(top-k mean of a_k)``
          to "class ``k`` is in the video", one independent binary problem
          per action row ``k < K``, and gives the background row no
          gradient. The frame-level reading of that model is
          ``p_k = sigmoid(a_k)`` per action; background is derived as
          ``1 - max_k p_k``, the probability that even the likeliest action
          is absent, so a frame's argmax is background exactly when no
          action has ``p_k > 1/2``. The background logit is never read: a
          softmax over ``K + 1`` rows would let that untrained logit scale
          every action probability (and with it the proposer's
          thresholds) arbitrarily. The proposer reads the action rows only.

        Args:
            logits (Tensor): ``(N, K + 1, T)``.
            frame_mask (Tensor): ``(N, T)`` bool.
            supervision (str): One of :data:`SUPERVISIONS`. Defaults to
                ``'frame'``.

        Returns:
            Tensor: ``(N, K + 1, T)``, background last; all zeros on padded
            frames.

        Raises:
            ValueError: an unknown ``supervision``.
        """
        check_supervision(supervision)
        if supervision == 'weak':
            actions = logits[:, :self.num_classes].sigmoid()
            background = 1 - actions.max(dim=1, keepdim=True).values
            probs = torch.cat([actions, background], dim=1)
        else:
            probs = logits.softmax(dim=1)
        return probs * frame_mask.bool()[:, None, :].to(probs.dtype)

    @staticmethod
    def frame_mask(data_samples: List, device) -> torch.Tensor:
        """``(N, T)`` bool: the samples' stacked ``frame_mask``."""
        return torch.stack([s.frame_mask for s in data_samples]).to(
            device=device, dtype=torch.bool)

    @staticmethod
    def frame_label_targets(data_samples: List, device) -> torch.Tensor:
        """``(N, T)`` long: the samples' stacked ``gt_frame_labels``."""
        return torch.stack([s.gt_frame_labels for s in data_samples]).to(
            device)

    def video_label_targets(self, data_samples: List,
                            device) -> torch.Tensor:
        """Multi-hot ``(N, K)`` float video labels of the samples.

        Read from ``gt_labels.item`` (class ids), else the metainfo
        ``video_labels``.

        Raises:
            ValueError: a class id outside ``[0, K)``.
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

    def loss(self, features: torch.Tensor, data_samples: List,
             supervision: str = 'frame') -> Dict[str, torch.Tensor]:
        """The loss of one batch under ``supervision``.

        * ``'frame'``: :meth:`loss_frame` on the samples' ``gt_frame_labels``
          ``(T,)``; returns ``loss_frame``.
        * ``'weak'``: :meth:`loss_weak` on :meth:`video_label_targets`;
          frame labels are never read; returns ``loss_weak``.

        Args:
            features (Tensor): ``(N, C, T)``.
            data_samples (list[ActionDataSample]): with ``frame_mask``
                ``(T,)`` and the labels of the supervision.
            supervision (str): One of :data:`SUPERVISIONS`.

        Raises:
            ValueError: an unknown ``supervision``.
        """
        check_supervision(supervision)
        logits = self(features)
        mask = self.frame_mask(data_samples, logits.device)
        if supervision == 'weak':
            targets = self.video_label_targets(data_samples, logits.device)
            return dict(loss_weak=self.loss_weak(logits, targets, mask))
        labels = self.frame_label_targets(data_samples, logits.device)
        return dict(loss_frame=self.loss_frame(logits, labels, mask))

    def predict(self,
                features: torch.Tensor,
                data_samples: List,
                supervision: str = 'frame',
                **postprocess) -> List:
        """:meth:`predict_by_logits` of this head's logits of ``features``
        ``(N, C, T)``."""
        return self.predict_by_logits(self(features), data_samples,
                                      supervision, **postprocess)

    def predict_by_logits(self,
                          logits: torch.Tensor,
                          data_samples: List,
                          supervision: str = 'frame',
                          **postprocess) -> List:
        """Frame scores and segments of each sample, in original frames.

        The scores are :meth:`frame_probabilities` of ``logits`` under
        ``supervision`` (the one the logits were trained with): this
        head's own, or those of a stage refining them
        (:class:`~snippet_plugin.models.heads.MultiStageRefinement`). Each
        sample's real frames (``frame_mask``) are mapped to the original
        frames through ``frame_inds``; then
        :func:`~snippet_plugin.evaluation.predictions.set_frame_predictions`
        sets, with ``background_id = K``: metainfo ``pred_segments`` int64
        ``(S, 3)`` ``[start, end, class]`` (half-open) and
        ``pred_segment_scores`` ``(S,)``; fields ``pred_frame_scores``
        float ``(K + 1, T_ori)`` (CPU) and ``pred_frame_labels`` long
        ``(T_ori,)``.

        Args:
            logits (Tensor): ``(N, K + 1, T)``.
            data_samples (list[ActionDataSample]): with ``frame_mask``,
                ``frame_inds`` (optional) and metainfo ``total_frames``;
                each holds its whole sequence once.
            supervision (str): One of :data:`SUPERVISIONS`. Defaults to
                ``'frame'``.
            **postprocess: Keyword arguments of
                :func:`~snippet_plugin.evaluation.functional.frames_to_segments`
                other than ``background_id``.

        Returns:
            list[ActionDataSample]: ``data_samples``, filled in.
        """
        mask = self.frame_mask(data_samples, logits.device)
        probs = self.frame_probabilities(logits, mask, supervision).float()
        for sample_probs, valid, sample in zip(probs, mask, data_samples):
            set_frame_predictions(sample, sample_probs[:, valid], valid,
                                  self.num_classes, **postprocess)
        return data_samples

"""MoCo pretraining for skeleton sequences, with the optional dense snippet
branch of the paper (Sec. 3.1, Eq. 1-6)."""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.dist import all_gather, broadcast, get_rank, get_world_size
from mmengine.model import BaseModel, ExponentialMovingAverage, ModuleDict
from torch import nn

from mmaction.registry import MODELS
from .losses import (contrastive_logits, info_nce, multi_positive_info_nce,
                     nearest_neighbour_mask, positive_first_cross_entropy,
                     within_sequence_logits)
from .padding import feature_step_mask, masked_mean
from .queue import QueueMemoryBank

KEY_BN_MODES = ('shuffle', 'sync', 'local')
"""Values of ``SkeletonMoCo(key_bn=...)``."""

DENSE_LOSS_REDUCTIONS = ('mean', 'sum')
"""Values of ``SkeletonMoCo(dense_loss_reduction=...)``."""


@MODELS.register_module()
class SkeletonMoCo(BaseModel):
    """Query encoder, momentum key encoder and negative queues.

    Without ``dense_head`` this is the SkeletonCLR/MoCo baseline: loss
    ``L_global`` (Eq. 2) only, no dense head, queue or matcher in the model or
    its state dict. With ``dense_head`` the loss is ``L_global + λ L_dense``
    (Eq. 6).

    One training step (:meth:`loss`), MoCo order:

    1. query encoder on view 0: backbone features ``h̄`` (last returned level,
       ``(N, C_e, T_l)``), ``p̄ = G(h̄)`` ``(N, C)``;
    2. under ``no_grad``: the key encoder takes one EMA step towards the
       query encoder (``k = m·k + (1-m)·q``; the very first step copies the
       query encoder, so keys start from ``k = q`` whatever ``init_weights``
       did), then encodes view 1: ``ĥ``, ``p̂``;
    3. ``L_global = InfoNCE(p̄, p̂, global queue)`` (Eq. 2); while
       ``mine_neighbours`` is on (set by ``NeighbourMiningHook``), the
       ``neighbour_topk`` queue entries nearest to ``p̄`` are extra positives
       (AimCLR's nearest-neighbour mining, :meth:`_global_loss`);
    4. dense: ``F̄_d = D.pool(h̄)``, ``S̄ = D.project(F̄_d)`` from the query
       encoder, ``F̂_d``, ``Ŝ`` from the key encoder; positives
       ``ŝ_{j*}`` with ``j*`` matched between ``F̄_d`` (query encoder, view 0)
       and ``F̂_d`` (key encoder, view 1), as Eq. 4 pairs ``f̄_i`` and ``f̂_j``
       of the two encodings ``h̄ = E(x̄)``, ``ĥ = Ê(x̂)`` (or, with
       ``SnippetMatcher(match='overlap')``, by the original frames the
       snippets share, from the views' ``frame_inds``); negatives from the
       dense queue (Eq. 5) and, with ``within_sequence_negatives``, the key
       view's other snippets of the same sequence (the paper's intra-video
       negatives, Sec. 2 and 3.1); ``L_dense`` averages over the ``N·S``
       query snippets (``dense_loss_reduction='mean'``) or, as Eq. 5 reads,
       sums over the ``S`` snippets of a sample (``'sum'``, ``S`` times the
       mean);
    5. enqueue ``p̂`` into the global queue, and ``normalize(mean_S Ŝ)``
       (global pooling of the key view's snippet embeddings, Eq. 5's
       ``s'_k``) into the dense queue. Each queue advances its own pointer.

    Padding (``RandomWindowCrop`` zero-pads short sequences): the samples'
    ``frame_mask`` gives each view's real steps at the last backbone level
    (:meth:`view_step_masks`). Global pooling averages real steps only; a
    snippet of padding only is no query, no match target and stays out of
    the enqueued mean of the key's snippets. Masking, not "never pad", is
    the choice: why in :mod:`.padding`. Without padding in a batch every
    mask is None and the losses are those of the unmasked model, bit for
    bit.

    Key encoder: :class:`mmengine.model.ExponentialMovingAverage` of
    ``encoder_q`` (mmengine momentum ``1 - momentum``, parameters averaged,
    buffers copied). Its batch normalisation under DDP is ``key_bn``:
    ``'shuffle'`` (default, MoCo's batch shuffle across ranks), ``'sync'``
    (``SyncBatchNorm``, GPU only) or ``'local'``. Why: ``docs/design.md``.

    Args:
        backbone (dict): :class:`MultiScaleGCN` config.
        global_head (dict): :class:`GlobalProjectionHead` config.
        dense_head (dict, optional): :class:`DenseProjectionHead` config;
            None for the baseline.
        encoder_heads (dict[str, dict], optional): Further heads of the
            encoder by name (a subclass's, e.g. RVTCLR's ``motion_head``),
            built with it and so copied into the key encoder.
        matcher (dict): :class:`SnippetMatcher` config (dense branch only).
        queue_size (int): Keys per queue ``M``. Defaults to 32768.
        feat_dim (int): Embedding size ``C``; must equal the heads'
            ``out_channels``. Defaults to 128.
        temperature (float): ``τ``. Defaults to 0.07.
        momentum (float): MoCo momentum ``m`` of the key encoder.
            Defaults to 0.999.
        key_bn (str): ``'shuffle'``, ``'sync'`` or ``'local'``: how batch
            normalisation sees the key batch under DDP. Defaults to
            ``'shuffle'``.
        loss_dense_weight (float): ``λ`` of Eq. 6; a plain attribute that a
            hook may change during training. Defaults to 1.5.
        neighbour_topk (int): Queue entries mined per query as extra global
            positives while ``mine_neighbours`` is on. Defaults to 1.
        dense_loss_reduction (str): ``'mean'`` over all query snippets
            (keeps λ independent of ``S``) or ``'sum'`` over a sample's
            snippets (Eq. 5 read literally). Defaults to ``'mean'``.
        within_sequence_negatives (bool): Add the key view's other snippets
            of the same sequence to each snippet's negatives
            (:func:`within_sequence_logits`). Defaults to False (Eq. 5 and
            the public code: queue negatives only).
        within_sequence_exclusion (int): Snippets on each side of the
            matched positive that are not within-sequence negatives.
            Defaults to 0.
        data_preprocessor (dict or nn.Module): Defaults to
            ``dict(type='ActionDataPreprocessor')``.
        init_cfg (dict or list[dict], optional): Initialisation config.

    Attributes:
        encoder_q (ModuleDict): ``backbone``, ``global_head``, with the
            dense branch ``dense_head``, and the ``encoder_heads``
            (mmengine's ModuleDict, so ``init_weights`` reaches their
            ``init_cfg``).
        encoder_k (ExponentialMovingAverage): the momentum copy; the encoder
            itself is ``encoder_k.module``.
        global_queue (QueueMemoryBank): negatives of Eq. 2.
        dense_queue (QueueMemoryBank): negatives of Eq. 5 (dense only).
        matcher (SnippetMatcher): Eq. 4 (dense only).
        mine_neighbours (bool): Nearest-neighbour mining on/off; False at
            build time (the baseline), switched by ``NeighbourMiningHook``.
    """

    def __init__(self,
                 backbone: Dict,
                 global_head: Dict,
                 dense_head: Optional[Dict] = None,
                 encoder_heads: Optional[Dict[str, Dict]] = None,
                 matcher: Dict = dict(type='SnippetMatcher'),
                 queue_size: int = 32768,
                 feat_dim: int = 128,
                 temperature: float = 0.07,
                 momentum: float = 0.999,
                 loss_dense_weight: float = 1.5,
                 neighbour_topk: int = 1,
                 dense_loss_reduction: str = 'mean',
                 within_sequence_negatives: bool = False,
                 within_sequence_exclusion: int = 0,
                 key_bn: str = 'shuffle',
                 data_preprocessor: Union[Dict, nn.Module] = dict(
                     type='ActionDataPreprocessor'),
                 init_cfg=None) -> None:
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if key_bn not in KEY_BN_MODES:
            raise ValueError(f'key_bn must be one of {KEY_BN_MODES}, got '
                             f'{key_bn!r}')
        if dense_loss_reduction not in DENSE_LOSS_REDUCTIONS:
            raise ValueError(f'dense_loss_reduction must be one of '
                             f'{DENSE_LOSS_REDUCTIONS}, got '
                             f'{dense_loss_reduction!r}')
        if within_sequence_exclusion < 0:
            raise ValueError(f'within_sequence_exclusion must be >= 0, got '
                             f'{within_sequence_exclusion}')
        if not 1 <= neighbour_topk <= queue_size:
            raise ValueError(f'neighbour_topk must be in [1, queue_size], '
                             f'got {neighbour_topk}')
        encoder = ModuleDict(
            dict(
                backbone=MODELS.build(backbone),
                global_head=MODELS.build(global_head)))
        if dense_head is not None:
            encoder['dense_head'] = MODELS.build(dense_head)
        for name in ('global_head', 'dense_head'):
            head_dim = getattr(encoder[name], 'out_channels', feat_dim) \
                if name in encoder else feat_dim
            if head_dim != feat_dim:
                raise ValueError(f'{name} projects to {head_dim} channels '
                                 f'but feat_dim (the queues) is {feat_dim}')
        # queues (randomly filled) before the further heads: the random
        # draws, hence seeded runs, stay those of earlier versions
        global_queue = QueueMemoryBank(queue_size, feat_dim)
        if dense_head is not None:
            dense_queue = QueueMemoryBank(queue_size, feat_dim)
            snippet_matcher = MODELS.build(matcher)
        for name, head in (encoder_heads or {}).items():
            if name in encoder:
                raise ValueError(f'encoder_heads: {name!r} is taken')
            encoder[name] = MODELS.build(head)
        if key_bn == 'sync':
            encoder = nn.SyncBatchNorm.convert_sync_batchnorm(encoder)
        self.key_bn = key_bn
        self.encoder_q = encoder
        self.encoder_k = ExponentialMovingAverage(
            encoder, momentum=1 - momentum, update_buffers=False)
        self.temperature = temperature
        self.loss_dense_weight = loss_dense_weight
        self.neighbour_topk = neighbour_topk
        self.dense_loss_reduction = dense_loss_reduction
        self.within_sequence_negatives = within_sequence_negatives
        self.within_sequence_exclusion = within_sequence_exclusion
        self.mine_neighbours = False
        self.global_queue = global_queue
        if dense_head is not None:
            self.dense_queue = dense_queue
            self.matcher = snippet_matcher

    @property
    def with_dense(self) -> bool:
        """Whether the dense snippet branch (Eq. 3-5) is on."""
        return 'dense_head' in self.encoder_q

    def extract_feat(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Query backbone features, for KNN evaluation and localization.

        Args:
            inputs (Tensor): ``(N, M, T, V, C)``.

        Returns:
            tuple[Tensor]: ``(N, C_l, T_l)`` per backbone level.
        """
        return self.encoder_q['backbone'](inputs)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """``'tensor'``: :meth:`extract_feat` of ``(N, M, T, V, C)`` inputs;
        ``'loss'``: :meth:`loss` of ``(N, 2, M, T, V, C)`` inputs.

        ``'predict'`` raises NotImplementedError: a pretraining model has no
        predictions; evaluate it with ``KNNLocalizationLoop`` (which calls
        :meth:`extract_feat`) or use ``mode='tensor'``.
        """
        if mode == 'tensor':
            return self.extract_feat(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            raise NotImplementedError(
                'SkeletonMoCo is a pretraining model without predictions: '
                'evaluate it with KNNLocalizationLoop (val_cfg/test_cfg), '
                "which uses extract_feat, or call mode='tensor'")
        raise ValueError(f'invalid mode {mode!r}; use tensor, loss or '
                         'predict')

    def view_step_masks(self, inputs: torch.Tensor,
                        data_samples: Optional[List] = None
                        ) -> List[Optional[torch.Tensor]]:
        """Per view, the steps of the last backbone level that hold real
        frames: :meth:`frame_step_mask` of each of
        :meth:`view_frame_masks`, ``(N, T_l)`` bool; all None when no frame
        of the batch is padding."""
        return [self.frame_step_mask(mask)
                for mask in self.view_frame_masks(inputs, data_samples)]

    def view_frame_masks(self, inputs: torch.Tensor,
                         data_samples: Optional[List] = None
                         ) -> List[Optional[torch.Tensor]]:
        """Per view, the real frames, from the samples' ``frame_mask``.

        Args:
            inputs (Tensor): ``(N, V_n, M, T, V, C)``.
            data_samples (list, optional): ``N`` samples whose
                ``frame_mask`` is ``(V_n, T)`` (row ``i`` for view ``i``, as
                ``PackUntrimmedPoseInputs`` packs stacked views). None, or a
                sample without ``frame_mask``, counts as all real frames.

        Returns:
            list[Tensor or None]: ``V_n`` frame masks ``(N, T)`` bool; all
            None when no frame of the batch is padding.

        Raises:
            ValueError: for a ``frame_mask`` of another shape, or a view
                without any real frame.
        """
        num_views = inputs.shape[1]
        frame_masks = view_rows(inputs, data_samples, 'frame_mask',
                                missing=True)
        if frame_masks is None or frame_masks.all():
            return [None] * num_views
        frame_masks = frame_masks.bool()
        empty = (~frame_masks.any(dim=2)).nonzero()
        if len(empty):
            sample, view = empty[0].tolist()
            raise ValueError(
                f'view {view} of data sample {sample} has no real frame '
                '(frame_mask all False): a view transform cropped away the '
                'whole sequence')
        return list(frame_masks.unbind(1))

    def view_frame_inds(self, inputs: torch.Tensor,
                        data_samples: Optional[List] = None
                        ) -> List[Optional[torch.Tensor]]:
        """Per view, the frame of the original sequence that each frame
        shows, from the samples' ``frame_inds`` ``(V_n, T)`` (-1: padding),
        for the matcher (``SnippetMatcher(match='overlap')``).

        Args:
            inputs (Tensor): ``(N, V_n, M, T, V, C)``.
            data_samples (list, optional): ``N`` samples, packed as for
                :meth:`view_frame_masks`.

        Returns:
            list[Tensor or None]: ``V_n`` long ``(N, T)``; all None without
            data samples or when a sample carries no ``frame_inds``.
        """
        frame_inds = view_rows(inputs, data_samples, 'frame_inds')
        if frame_inds is None:
            return [None] * inputs.shape[1]
        return list(frame_inds.long().unbind(1))

    def frame_step_mask(self, frame_mask: Optional[torch.Tensor]
                        ) -> Optional[torch.Tensor]:
        """``(N, T)`` frame mask -> ``(N, T_l)`` real steps of the last
        backbone level (its ``temporal_strides[-1]``); None for None."""
        if frame_mask is None:
            return None
        stride = self.encoder_q['backbone'].temporal_strides[-1]
        return feature_step_mask(frame_mask, stride)

    def encode_query(self,
                     views: torch.Tensor,
                     step_mask: Optional[torch.Tensor] = None
                     ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Query encoder on one batch of views.

        Args:
            views (Tensor): ``(N, M, T, V, C)``.
            step_mask (Tensor, optional): ``(N, T_l)`` bool, the real steps
                the global pooling averages; None: all.

        Returns:
            tuple[Tensor, Tensor]: last backbone level ``h̄`` ``(N, C_e, T_l)``
            and the global embedding ``p̄`` ``(N, C)`` (L2-normalised).
        """
        feats = self.encoder_q['backbone'](views)[-1]
        return feats, self.encoder_q['global_head'](feats, step_mask)

    @torch.no_grad()
    def momentum_update(self) -> None:
        """One EMA step of the key encoder towards the query encoder
        (``k = m·k + (1-m)·q``); call it once per step, before
        :meth:`encode_key`."""
        self.encoder_k.update_parameters(self.encoder_q)

    @torch.no_grad()
    def encode_key(self,
                   views: torch.Tensor,
                   step_mask: Optional[torch.Tensor] = None
                   ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Key (momentum) encoder on one batch of views, without gradient.

        With ``key_bn='shuffle'`` under DDP the batch is encoded shuffled
        across ranks (:meth:`_encode_key_shuffled`); rows still come back in
        the order of ``views``.

        Args:
            views (Tensor): ``(N, M, T, V, C)``; the same ``N`` on every rank.
            step_mask (Tensor, optional): ``(N, T_l)`` bool, as in
                :meth:`encode_query`.

        Returns:
            tuple[Tensor, Tensor]: ``ĥ`` ``(N, C_e, T_l)`` and ``p̂``
            ``(N, C)``.
        """
        if self.key_bn == 'shuffle' and get_world_size() > 1:
            return self._encode_key_shuffled(views, step_mask)
        return self._run_key_encoder(views, step_mask)

    def _run_key_encoder(self,
                         views: torch.Tensor,
                         step_mask: Optional[torch.Tensor] = None
                         ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(ĥ, p̂)`` of ``views`` ``(N, M, T, V, C)``, this rank only."""
        key_encoder = self.encoder_k.module
        feats = key_encoder['backbone'](views)[-1]
        return feats, key_encoder['global_head'](feats, step_mask)

    def _encode_key_shuffled(self, views: torch.Tensor,
                             step_mask: Optional[torch.Tensor]
                             ) -> Tuple[torch.Tensor, torch.Tensor]:
        """MoCo's batch shuffle: encode a random slice of the global batch.

        Every rank draws a permutation (so all ranks consume the same amount
        of randomness) and rank 0's is broadcast. The ``W·N`` gathered views
        (rank order) are permuted; rank ``r`` encodes rows
        ``[r·N, (r+1)·N)`` of the shuffled batch; the outputs are gathered
        and the inverse permutation returns this rank's own rows. The step
        masks travel with their views (a rank without padding sends all
        real steps, since other ranks may have padding).
        """
        rank, num_views = get_rank(), views.shape[0]
        if step_mask is None:
            step_mask = self.frame_step_mask(
                views.new_ones(views.shape[0], views.shape[2],
                               dtype=torch.bool))
        # the key view is a strided slice of (N, 2, ...); NCCL wants dense
        all_views = torch.cat(all_gather(views.contiguous()), dim=0)
        all_masks = torch.cat(all_gather(step_mask.to(torch.uint8)), dim=0)
        order = torch.randperm(all_views.shape[0]).to(views.device)
        broadcast(order, src=0)
        mine = slice(rank * num_views, (rank + 1) * num_views)
        my_masks = all_masks[order[mine]].bool()
        feats, keys = self._run_key_encoder(
            all_views[order[mine]], None if my_masks.all() else my_masks)
        restore = torch.argsort(order)
        own_rows = restore[mine]
        return (torch.cat(all_gather(feats), dim=0)[own_rows],
                torch.cat(all_gather(keys), dim=0)[own_rows])

    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """Contrastive losses of one batch of view pairs (Eq. 2, 5, 6).

        Args:
            inputs (Tensor): ``(N, 2, M, T, V, C)``; view 0 is the query
                ``x̄``, view 1 the key ``x̂``.
            data_samples (list, optional): Their ``frame_mask`` ``(2, T)``
                marks padding (:meth:`view_step_masks`); their
                ``frame_inds`` ``(2, T)`` reach the matcher
                (:meth:`view_frame_inds`).

        Returns:
            dict[str, Tensor]: ``loss_global``; with the dense branch
            ``loss_dense`` (already multiplied by ``loss_dense_weight``, so
            mmengine's sum of ``loss*`` keys is Eq. 6); detached accuracies
            in percent ``acc_global`` (and ``acc_dense``), named without
            ``loss`` so they are logged, not summed.
        """
        if inputs.dim() != 6 or inputs.shape[1] != 2:
            raise ValueError('SkeletonMoCo.loss expects (N, 2, M, T, V, C) '
                             f'view pairs, got shape {tuple(inputs.shape)}')
        query_steps, key_steps = self.view_step_masks(inputs, data_samples)
        query_frames, key_frames = self.view_frame_inds(inputs, data_samples)
        query_feats, query = self.encode_query(inputs[:, 0], query_steps)
        self.momentum_update()
        key_feats, key = self.encode_key(inputs[:, 1], key_steps)
        loss_global, acc_global = self._global_loss(query, key)
        losses = dict(loss_global=loss_global, acc_global=acc_global)
        self._add_dense_losses(losses, query_feats, key_feats, query_steps,
                               key_steps, query_frames, key_frames)
        self.global_queue.enqueue(key)
        return losses

    def _global_loss(self,
                     query: torch.Tensor,
                     key: torch.Tensor,
                     mining_queries: Tuple[torch.Tensor, ...] = (),
                     negatives: Optional[torch.Tensor] = None
                     ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``L_global`` (Eq. 2) and its accuracy, with optional
        nearest-neighbour positives.

        With ``mine_neighbours`` off this is :func:`info_nce` of ``query``,
        ``key`` and the global queue. With it on, the ``neighbour_topk``
        queue entries most similar to ``query`` (and to each of
        ``mining_queries``, OR-ed) join ``key`` as positives of
        :func:`multi_positive_info_nce` (AimCLR's NNM; the accuracy still
        counts the key on top only).

        Args:
            query (Tensor): ``p̄`` ``(N, C)``.
            key (Tensor): ``p̂`` ``(N, C)``.
            mining_queries (tuple[Tensor]): Further ``(N, C)`` embeddings of
                the same samples whose neighbours are mined too.
            negatives (Tensor, optional): This step's snapshot of the
                global queue ``(M, C)`` (:meth:`QueueMemoryBank.negatives`)
                when the caller's other losses use it too: one 16 MiB copy
                per step instead of one per use. None: take one here.
        """
        if negatives is None:
            negatives = self.global_queue.negatives()
        if not self.mine_neighbours:
            return info_nce(query, key, negatives, self.temperature)
        logits = contrastive_logits(query, key, negatives, self.temperature)
        neighbours = nearest_neighbour_mask((query, *mining_queries),
                                            negatives, self.neighbour_topk)
        key_column = torch.ones_like(neighbours[:, :1])
        return multi_positive_info_nce(
            logits, torch.cat([key_column, neighbours], dim=1))

    def _add_dense_losses(self,
                          losses: Dict[str, torch.Tensor],
                          query_feats: torch.Tensor,
                          key_feats: torch.Tensor,
                          query_steps: Optional[torch.Tensor] = None,
                          key_steps: Optional[torch.Tensor] = None,
                          query_frames: Optional[torch.Tensor] = None,
                          key_frames: Optional[torch.Tensor] = None) -> None:
        """With the snippet branch on, add ``loss_dense`` (already
        multiplied by ``loss_dense_weight``, Eq. 6) and ``acc_dense`` to
        ``losses``; without it, do nothing. Every method calls this once per
        step with the features whose snippets it pairs.

        Args:
            losses (dict[str, Tensor]): The step's losses, updated in place.
            query_feats (Tensor): ``h̄`` ``(N, C_e, T_l)``, query encoder.
            key_feats (Tensor): ``ĥ`` ``(N, C_e, T_l)``, key encoder.
            query_steps, key_steps (Tensor, optional): ``(N, T_l)`` bool,
                their real steps (:meth:`view_step_masks`); None: all.
            query_frames, key_frames (Tensor, optional): long ``(N, T)``,
                the views' original frames (:meth:`view_frame_inds`);
                None: unknown.
        """
        if self.with_dense:
            loss_dense, acc_dense = self._dense_loss(
                query_feats, key_feats, query_steps, key_steps, query_frames,
                key_frames)
            losses.update(
                loss_dense=self.loss_dense_weight * loss_dense,
                acc_dense=acc_dense)

    def _dense_loss(self,
                    query_feats: torch.Tensor,
                    key_feats: torch.Tensor,
                    query_steps: Optional[torch.Tensor] = None,
                    key_steps: Optional[torch.Tensor] = None,
                    query_frames: Optional[torch.Tensor] = None,
                    key_frames: Optional[torch.Tensor] = None
                    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Unweighted ``L_dense`` (Eq. 3-5) and its accuracy; enqueues the
        key view's pooled snippet embeddings.

        Padding: snippets are pooled over real steps; ``query_valid`` /
        ``key_valid`` ``(N, S)`` (:meth:`DenseProjectionHead.snippet_mask`)
        keep snippets of padding only out of the queries, the match targets
        and the enqueued mean.

        Args:
            query_feats (Tensor): ``h̄`` ``(N, C_e, T_l)``, query encoder.
            key_feats (Tensor): ``ĥ`` ``(N, C_e, T_l)``, key encoder.
            query_steps, key_steps (Tensor, optional): ``(N, T_l)`` bool,
                the real steps; None: all.
            query_frames, key_frames (Tensor, optional): long ``(N, T)``,
                original frame per input frame (-1: padding); the matcher
                gets each snippet's
                (:meth:`DenseProjectionHead.snippet_frames`).
        """
        dense_head = self.encoder_q['dense_head']
        query_snippet_feats = dense_head.pool(query_feats, query_steps)
        query_snippets = dense_head.project(query_snippet_feats)
        query_valid = dense_head.snippet_mask(query_steps)
        with torch.no_grad():
            key_dense_head = self.encoder_k.module['dense_head']
            key_snippet_feats = key_dense_head.pool(key_feats, key_steps)
            key_snippets = key_dense_head.project(key_snippet_feats)
            key_valid = key_dense_head.snippet_mask(key_steps)
            stride = self.encoder_q['backbone'].temporal_strides[-1]
            matches = self.matcher.match(
                query_snippet_feats.detach(), key_snippet_feats,
                key_valid=key_valid,
                query_frames=None if query_frames is None else
                dense_head.snippet_frames(query_frames, stride),
                key_frames=None if key_frames is None else
                key_dense_head.snippet_frames(key_frames, stride))
            positives = torch.gather(
                key_snippets, 2,
                matches.unsqueeze(1).expand(-1, key_snippets.shape[1], -1))
        logits = contrastive_logits(
            snippet_rows(query_snippets, query_valid),
            snippet_rows(positives, query_valid),
            self.dense_queue.negatives(), self.temperature)
        if self.within_sequence_negatives:
            within = within_sequence_logits(query_snippets, key_snippets,
                                            matches, self.temperature,
                                            self.within_sequence_exclusion,
                                            key_valid)
            if query_valid is not None:
                within = within[query_valid.reshape(-1)]
            logits = torch.cat([logits, within], dim=1)
        loss, accuracy = positive_first_cross_entropy(logits)
        if self.dense_loss_reduction == 'sum':
            loss = loss * query_snippets.shape[2]
        self.dense_queue.enqueue(
            F.normalize(masked_mean(key_snippets, key_valid), dim=1))
        return loss, accuracy


def snippet_rows(snippets: torch.Tensor,
                 valid: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Snippet embeddings ``(N, C, S)`` as rows ``(B, C)``, sample-major
    (``b = n S + i``), keeping the ``valid`` ``(N, S)`` ones (None: all,
    ``B = N S``)."""
    rows = snippets.transpose(1, 2).reshape(-1, snippets.shape[1])
    return rows if valid is None else rows[valid.reshape(-1)]


def view_rows(inputs: torch.Tensor, data_samples: Optional[List], field: str,
              missing: Optional[bool] = None) -> Optional[torch.Tensor]:
    """The samples' per-view frame field ``(V_n, T)`` stacked to
    ``(N, V_n, T)`` on the device of ``inputs`` ``(N, V_n, M, T, V, C)``.

    A sample without ``field`` gets rows filled with ``missing``; with
    ``missing=None`` it makes the result None, as do ``data_samples=None``.

    Raises:
        ValueError: for a field of another shape than ``(V_n, T)``.
    """
    if data_samples is None:
        return None
    shape = (inputs.shape[1], inputs.shape[3])
    rows = []
    for index, sample in enumerate(data_samples):
        if field not in sample:
            if missing is None:
                return None
            rows.append(torch.full(shape, missing))
            continue
        row = sample.get(field)
        if tuple(row.shape) != shape:
            raise ValueError(
                f'data sample {index}: {field} {tuple(row.shape)} does not '
                f'fit {shape[0]} views of {shape[1]} frames (expected '
                f'{shape}); pack the views with PackUntrimmedPoseInputs')
        rows.append(row)
    return torch.stack(rows).to(inputs.device)

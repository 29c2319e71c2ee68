"""Localize actions in one skeleton sequence with a trained localizer:
build the model (:func:`init_localizer`), then run the config's test
pipeline over the sequence, whole or in sliding windows
(:func:`inference_localizer`). Reading the input is
:mod:`snippet_plugin.apis.inputs`'s job.

::

    from snippet_plugin.apis import inference_localizer, init_localizer

    model = init_localizer('configs/my_localizer.py', 'epoch_40.pth')
    result = inference_localizer(model, 'S001C001P001R001A001.skeleton')
    for segment in result.segments:
        print(segment['label'], segment['start_sec'], segment['end_sec'])
"""
import contextlib
import copy
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.logging import print_log
from torch import nn

from mmaction.registry import MODELS, TRANSFORMS
from mmaction.structures import ActionDataSample
from ..datasets.annotation import (UNLABELLED, derive_frame_labels,
                                   load_annotations)
from ..datasets.transforms import sliding_window_starts
from ..evaluation.predictions import set_frame_predictions
from ..utils.checkpoint import load_checkpoint_file
from ..utils.subset import resolve_subset
from .inputs import (DEFAULT_FPS, SkeletonSequence, check_keypoint,
                     load_skeleton_input, short_listing)


@dataclass
class GroundTruth:
    """An input's ground truth in the model's class ids.

    Attributes:
        segments: ``(S, 3)`` ``[start, end, class]``, class ids into
            ``classes``.
        classes: The model's ``K`` classes, then the input's classes that
            the model lacks (ids ``K, K + 1, ...``).
        note: How the input's classes were mapped, when they are not the
            model's; None when they are.
    """
    segments: np.ndarray
    classes: List[str]
    note: Optional[str] = None


@dataclass
class LocalizationResult:
    """What :func:`inference_localizer` found in one sequence.

    Attributes:
        name: Sample name.
        fps: Frame rate used for the seconds.
        classes: The ``K`` class names.
        segments: One dict per predicted action, by start frame then score:
            ``label`` (class name), ``class_id``, ``score``,
            ``start_frame``, ``end_frame`` (half-open ``[start, end)``),
            ``start_sec = start_frame / fps``, ``end_sec = end_frame / fps``.
        frame_scores: float32 ``(T, K + 1)`` class probabilities per frame
            (background last), smoothed when the model smooths.
        frame_labels: int64 ``(T,)`` argmax of ``frame_scores``.
        ground_truth: The input's ground truth in the model's class ids
            (:func:`map_ground_truth`), or None.
        smoothing_s: The smoothing window in seconds the model's
            checkpoint carries (``SkeletonLocalizer.smoothing_window_s``),
            None for the paper's unsmoothed post-processing.
    """
    name: str
    fps: float
    classes: List[str]
    segments: List[Dict]
    frame_scores: np.ndarray
    frame_labels: np.ndarray
    ground_truth: Optional[GroundTruth] = field(default=None, repr=False)
    smoothing_s: Optional[float] = None

    @property
    def num_frames(self) -> int:
        """``T``."""
        return len(self.frame_labels)

    def timeline_rows(self) -> Tuple[List[Tuple[str, np.ndarray]],
                                     List[str]]:
        """``(rows, classes)`` for
        :func:`~snippet_plugin.visualization.plot_label_timelines`: the
        ground truth (when known) above the prediction, in one class list
        (the model's, then the ground truth's classes the model lacks) with
        background after the last."""
        classes = (self.classes if self.ground_truth is None else
                   self.ground_truth.classes)
        background = len(classes)
        prediction = np.where(self.frame_labels == len(self.classes),
                              background, self.frame_labels)
        rows = [('prediction', prediction)]
        if self.ground_truth is not None:
            rows.insert(0, ('ground truth', derive_frame_labels(
                self.ground_truth.segments, self.num_frames, background)))
        return rows, list(classes)

    def to_dict(self) -> Dict:
        """JSON-ready summary: name, fps, frames, classes, smoothing
        window, segments and frame labels; with ground truth also
        ``gt_segments`` (class ids into ``gt_classes``), ``gt_classes`` and
        ``gt_note``."""
        summary = dict(name=self.name, fps=self.fps,
                       num_frames=self.num_frames, classes=list(self.classes),
                       smoothing_s=self.smoothing_s, segments=self.segments,
                       frame_labels=self.frame_labels.tolist())
        if self.ground_truth is not None:
            summary.update(
                gt_segments=self.ground_truth.segments.tolist(),
                gt_classes=list(self.ground_truth.classes),
                gt_note=self.ground_truth.note)
        return summary


# ----------------------------------------------------------------- model


def init_localizer(config: Union[str, Config],
                   checkpoint: Optional[str] = None,
                   device: Union[str, torch.device] = 'cpu',
                   cfg_options: Optional[dict] = None,
                   class_names: Optional[Sequence[str]] = None) -> nn.Module:
    """Build a localizer from a config and load its weights.

    The model is ``cfg.model`` (a :class:`SkeletonLocalizer`, or any model
    whose ``test_step`` fills ``pred_frame_scores`` like it). The checkpoint
    goes through :func:`~snippet_plugin.utils.checkpoint.load_checkpoint_file`
    (``weights_only``; no arbitrary unpickling) and must fit the model
    exactly (a ``module.`` prefix of DDP is stripped).

    The model gets two attributes used by :func:`inference_localizer`:
    ``cfg`` (the config, whose test dataloader's pipeline and ``window``
    are reused) and ``dataset_meta`` (``classes``, ``fps``). Class names
    come from, in order: ``class_names``; the checkpoint's
    ``meta['dataset_meta']`` (which MMEngine's runner saves); the test
    dataset's ``metainfo`` in the config; the ``meta`` of its
    ``ann_file`` if that file exists (read only when no earlier source names
    the classes); else ``class_0 .. class_{K-1}`` with a warning. ``fps``
    is the first one these sources give (None if none does).

    Args:
        config: Config file path or :class:`~mmengine.config.Config`.
        checkpoint: Checkpoint path; None keeps the random initialisation.
        device: Device of the model.
        cfg_options: Overrides merged into the config (``subset`` picks
            a dataset subset, :func:`~snippet_plugin.utils.subset.resolve_subset`).
        class_names: The ``K`` class names (overrides every other source).

    Returns:
        The model, in eval mode, on ``device``.

    Raises:
        ValueError: the checkpoint does not fit the model, or the class
            names do not number ``K``.
    """
    cfg = Config.fromfile(config) if isinstance(
        config, (str, os.PathLike)) else copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    resolve_subset(cfg)
    model = MODELS.build(cfg.model)
    checkpoint_meta = {}
    if checkpoint is not None:
        checkpoint_meta = load_weights(model, checkpoint)
    model.cfg = cfg
    model.dataset_meta = resolve_dataset_meta(
        cfg, checkpoint_meta.get('dataset_meta') or {}, class_names,
        getattr(model, 'num_classes', None))
    return model.to(device).eval()


def load_weights(model: nn.Module, checkpoint: str) -> Dict:
    """Load a whole-model checkpoint strictly; return its ``meta`` dict.

    Raises:
        ValueError: naming the file, when keys or shapes do not fit.
    """
    loaded = load_checkpoint_file(checkpoint, map_location='cpu')
    if not isinstance(loaded, dict):
        raise ValueError(f'{checkpoint}: expected a state dict, got '
                         f'{type(loaded).__name__}')
    state = loaded.get('state_dict', loaded)
    state = {key[len('module.'):] if key.startswith('module.') else key:
             value for key, value in state.items()}
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        raise ValueError(f'{checkpoint}: the weights do not fit the model '
                         f'of the config: {err}') from err
    meta = loaded.get('meta') if 'state_dict' in loaded else None
    return meta if isinstance(meta, dict) else {}


def inference_dataset_config(cfg: Config) -> Dict:
    """The test (else val) dataset config, unwrapped from dataset wrappers;
    empty if the config has neither dataloader."""
    loader = cfg.get('test_dataloader') or cfg.get('val_dataloader') or {}
    dataset = loader.get('dataset', {})
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']
    return dataset


def _ann_file_meta(dataset: Dict) -> Dict:
    """``meta`` of the dataset's annotation file, if the file exists."""
    ann_file = dataset.get('ann_file')
    if not ann_file:
        return {}
    if dataset.get('data_root') and not osp.isabs(ann_file):
        ann_file = osp.join(dataset['data_root'], ann_file)
    if not osp.isfile(ann_file):
        return {}
    return load_annotations(ann_file)['meta']


def resolve_dataset_meta(cfg: Config, checkpoint_meta: Dict,
                         class_names: Optional[Sequence[str]],
                         num_classes: Optional[int]) -> Dict:
    """``dict(classes, fps)`` from the sources listed in
    :func:`init_localizer`, checked against ``K = num_classes``."""
    dataset = inference_dataset_config(cfg)
    sources = [checkpoint_meta, dataset.get('metainfo') or {}]
    if class_names is None and not any(s.get('classes') for s in sources):
        sources.append(_ann_file_meta(dataset))
    classes = class_names or next(
        (s['classes'] for s in sources if s.get('classes')), None)
    fps = next((s['fps'] for s in sources if s.get('fps')), None)
    if classes is None:
        if num_classes is None:
            return dict(classes=[], fps=fps)
        print_log('no class names in the checkpoint or the config; using '
                  'class_0 ... (pass class_names= to name them)',
                  logger='current', level=30)
        classes = [f'class_{i}' for i in range(num_classes)]
    classes = [str(name) for name in classes]
    if num_classes is not None and len(classes) != num_classes:
        raise ValueError(f'{len(classes)} class names for a model of '
                         f'{num_classes} classes: {classes}')
    return dict(classes=classes, fps=fps)


def model_num_joints(model: nn.Module) -> Optional[int]:
    """Joints ``V`` of the model's skeleton graph (the first submodule with
    a ``graph.num_node``, as MMAction2's GCNs have), or None."""
    for module in model.modules():
        graph = getattr(module, 'graph', None)
        if graph is not None and hasattr(graph, 'num_node'):
            return int(graph.num_node)
    return None


# ---------------------------------------------------------- ground truth


def map_ground_truth(sequence: SkeletonSequence,
                     model_classes: Sequence[str]) -> Optional[GroundTruth]:
    """The input's ground truth in the model's class ids.

    Where the file names its classes, each ground-truth class is mapped to
    the model's class of the same name (case and surrounding spaces
    ignored); a class the model lacks is kept under its own name after the
    model's ``K`` classes, never merged into background. Where the file
    names none, its ids are read as the model's, and ids from ``K`` on are
    named ``file class <id>``. Whenever the two class lists are not the
    same, the ``note`` says how they were mapped.

    Returns:
        The mapped ground truth, or None when the input has none.
    """
    if sequence.gt_segments is None:
        return None
    segments = sequence.gt_segments.copy()
    model = [str(name) for name in model_classes]
    if sequence.gt_classes == model:
        return GroundTruth(segments, model)
    ids = np.unique(segments[:, 2]).tolist()
    if not sequence.gt_classes:
        extra = [i for i in ids if i >= len(model)]
        classes = model + [f'file class {i}' for i in range(
            len(model), max(extra, default=len(model) - 1) + 1)]
        note = (f'{sequence.source}: the file names no classes; its '
                "ground-truth class ids are read as the model's")
        if extra:
            note += (f"; ids {extra} are beyond the model's {len(model)} "
                     'classes and drawn as "file class <id>"')
        return GroundTruth(segments, classes, note)
    lookup = {name.strip().lower(): i for i, name in enumerate(model)}
    classes, mapping = list(model), {}
    for file_id, name in enumerate(sequence.gt_classes):
        key = name.strip().lower()
        if key not in lookup:
            lookup[key] = len(classes)
            classes.append(name)
        mapping[file_id] = lookup[key]
    segments[:, 2] = [mapping[i] for i in segments[:, 2]]
    shared = sum(mapping[i] < len(model) for i in mapping)
    renumbered = sum(mapping[i] != i for i in mapping if mapping[i] < len(
        model))
    note = (f"{sequence.source}: the file's {len(sequence.gt_classes)} "
            f"classes differ from the model's {len(model)}; ground truth "
            f"mapped by name: {shared} of the file's classes are the "
            f"model's ({renumbered} with another id)")
    absent = [i for i in ids if mapping[i] >= len(model)]
    if absent:
        counts = ', '.join(
            f'{sequence.gt_classes[i]!r} '
            f'({int(np.sum(sequence.gt_segments[:, 2] == i))} segment(s))'
            for i in absent)
        note += (f"; not among the model's classes, drawn under their own "
                 f'names: {counts}')
    return GroundTruth(segments, classes, note)


# -------------------------------------------------------------- inference


def pipeline_items(cfg: Config, sequence: SkeletonSequence,
                   keypoint: np.ndarray, fps: float,
                   num_classes: int) -> List[Dict]:
    """Results dicts for the test pipeline, as ``UntrimmedPoseDataset``
    gives them: one whole sequence, or one per sliding window when the test
    dataset has ``window=dict(clip_len, stride)`` (windows cover every
    frame). Frame labels are -1: nothing here is supervised."""
    num_frames = keypoint.shape[1]
    segments = sequence.gt_segments if sequence.gt_segments is not None \
        else np.zeros((0, 3), dtype=np.int64)
    whole = dict(
        frame_dir=sequence.name, keypoint=keypoint, total_frames=num_frames,
        ori_total_frames=num_frames,
        frame_labels=np.full(num_frames, UNLABELLED, dtype=np.int64),
        frame_mask=np.ones(num_frames, dtype=bool), segments=segments,
        video_labels=[], window_start=0, window_len=num_frames, fps=fps,
        num_classes=num_classes, label_mode='none')
    window = inference_dataset_config(cfg).get('window')
    if window is None:
        return [whole]
    starts = sliding_window_starts(num_frames, window['clip_len'],
                                   window['stride'])
    return [dict(whole, keypoint=keypoint.copy(), window_start=int(start),
                 window_len=window['clip_len']) for start in starts]


def predict_frames(model: nn.Module, packed: Dict):
    """Class probabilities of the real frames of one packed item.

    The item is predicted as a sequence of its own real frames (its
    ``frame_inds`` renumbered ``0..n-1``), so that a window passes the
    model's every-frame-once check; the original frames are returned
    alongside.

    Returns:
        tuple: ``scores`` float ``(K + 1, n)`` and ``frames`` long ``(n,)``,
        the original frame of each column.
    """
    data_sample = packed['data_samples']
    valid = data_sample.frame_mask.bool()
    frames = data_sample.frame_inds[valid]
    local = torch.full_like(data_sample.frame_inds, -1)
    local[valid] = torch.arange(int(valid.sum()))
    data_sample.frame_inds = local
    data_sample.set_metainfo(dict(total_frames=int(valid.sum())))
    with torch.no_grad():
        [output] = model.test_step(
            dict(inputs=[packed['inputs']], data_samples=[data_sample]))
    if 'pred_frame_scores' not in output:
        raise TypeError(f'{type(model).__name__}.test_step set no '
                        'pred_frame_scores: it is not a localizer (see '
                        'SkeletonLocalizer.predict)')
    return output.pred_frame_scores.float().cpu(), frames.cpu()


def inference_localizer(model: nn.Module,
                        skeleton,
                        fps: Optional[float] = None,
                        sample: Union[str, int, None] = None
                        ) -> LocalizationResult:
    """Localize the actions of one skeleton sequence.

    The sequence runs through the config's test pipeline (normalisation,
    padding, persons) as a whole, or as the test dataset's sliding windows,
    whose probabilities are averaged on the frames they share. Every frame
    gets a prediction. Segments come from the model's post-processing
    (its smoothing window and ``model.postprocess``, as in testing) on the
    merged probabilities: windows are merged first, then smoothed.

    Args:
        model: From :func:`init_localizer` (needs ``cfg`` and
            ``dataset_meta``).
        skeleton: Array ``(T, V, C)`` / ``(M, T, V, C)`` or file path (see
            :func:`load_skeleton_input`).
        fps: Frame rate for the seconds (> 0); default the input file's,
            else the model's dataset meta, else :data:`DEFAULT_FPS`.
        sample: Sample of an annotation ``.pkl`` (``frame_dir`` or index).

    Returns:
        LocalizationResult: segments, ``frame_scores (T, K + 1)``,
        ``frame_labels (T,)``.

    Raises:
        SkeletonInputError: a bad input (see :func:`check_keypoint`,
            :func:`load_skeleton_input`).
        ValueError: ``fps <= 0``.
        TypeError: the model's ``test_step`` gives no frame scores.
    """
    sequence = load_skeleton_input(skeleton, sample)
    keypoint = check_keypoint(sequence.keypoint, sequence.source,
                              model_num_joints(model))
    meta = model.dataset_meta
    if fps is not None and not fps > 0:
        raise ValueError(f'fps must be > 0, got {fps}')
    fps = float(fps or sequence.fps or meta.get('fps') or DEFAULT_FPS)
    classes = list(meta['classes'])
    transforms = inference_dataset_config(model.cfg)['pipeline']
    pipeline = Compose([TRANSFORMS.build(t) if isinstance(t, dict) else t
                        for t in transforms])
    num_frames = keypoint.shape[1]
    totals, counts = None, torch.zeros(num_frames)
    with unsmoothed_predictions(model):
        for item in pipeline_items(model.cfg, sequence, keypoint, fps,
                                   len(classes)):
            scores, frames = predict_frames(model, pipeline(item))
            if totals is None:
                totals = scores.new_zeros((scores.shape[0], num_frames))
            totals[:, frames] += scores
            counts[frames] += 1
    if bool((counts == 0).any()):
        missing = torch.nonzero(counts == 0).flatten().tolist()
        raise RuntimeError(f'the test pipeline dropped frames '
                           f'{short_listing(missing)} of {sequence.source}')
    ground_truth = map_ground_truth(sequence, classes)
    if ground_truth is not None and ground_truth.note is not None:
        print_log(ground_truth.note, logger='current', level=30)
    return _result(model, sequence, totals / counts, classes, fps,
                   ground_truth)


def _result(model: nn.Module, sequence: SkeletonSequence,
            frame_scores: torch.Tensor, classes: List[str], fps: float,
            ground_truth: Optional[GroundTruth]) -> LocalizationResult:
    """Segments of merged ``(K + 1, T)`` probabilities, as a result."""
    num_rows, num_frames = frame_scores.shape
    merged = ActionDataSample(metainfo=dict(
        frame_dir=sequence.name, total_frames=num_frames, fps=fps))
    smoothing_s = getattr(model, 'smoothing_window_s', None)
    set_frame_predictions(merged, frame_scores,
                          torch.ones(num_frames, dtype=torch.bool),
                          num_rows - 1, smoothing_s=smoothing_s,
                          **getattr(model, 'postprocess', {}))
    rows = [(int(s), int(e), int(c), float(score)) for (s, e, c), score in
            zip(merged.pred_segments, merged.pred_segment_scores)]
    segments = [dict(label=classes[c], class_id=c, score=score,
                     start_frame=s, end_frame=e, start_sec=s / fps,
                     end_sec=e / fps)
                for s, e, c, score in sorted(rows,
                                             key=lambda r: (r[0], -r[3]))]
    return LocalizationResult(
        name=sequence.name, fps=fps, classes=classes, segments=segments,
        frame_scores=merged.pred_frame_scores.T.numpy().astype(np.float32),
        frame_labels=merged.pred_frame_labels.numpy().astype(np.int64),
        ground_truth=ground_truth, smoothing_s=smoothing_s)


@contextlib.contextmanager
def unsmoothed_predictions(model: nn.Module) -> Iterator[None]:
    """Within the block, a model that smooths (``set_smoothing_window``)
    predicts unsmoothed scores, so that windows merge before smoothing."""
    window_s = getattr(model, 'smoothing_window_s', None)
    if window_s is None:
        yield
        return
    model.set_smoothing_window(None)
    try:
        yield
    finally:
        model.set_smoothing_window(window_s)

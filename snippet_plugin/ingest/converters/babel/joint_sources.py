"""Joint sources: NTU-25 joints of an AMASS motion, by SMPL-H forward
kinematics (:class:`SMPLHJoints`) or from a pre-extracted joints file
(:class:`JointsFileJoints`)."""
import contextlib
import hashlib
import io
import os
import os.path as osp
import pickle
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Dict, List, Optional, Protocol, Tuple

import numpy as np

from ..common import RawDataError, file_sha256
from .amass import AmassMotion


SMPLH73_TO_NTU25 = (0, 3, 12, 15, 16, 18, 20, 22, 17, 19, 21, 37, 1, 4, 7, 10,
                    2, 5, 8, 11, 9, 63, 64, 68, 69)
"""Index into smplx's 73 SMPL-H outputs for each NTU-25 joint (the public
code's list).

smplx's SMPL-H output: 0-21 the body joints (SMPL order), 22-36 the left
hand and 37-51 the right hand (index1-3, middle1-3, pinky1-3, ring1-3,
thumb1-3 each), then vertices: 52-56 nose, right eye, left eye, right ear,
left ear; 57-62 left big toe, small toe, heel, right big toe, small toe,
heel; 63-67 left thumb, index, middle, ring, pinky tips; 68-72 the right
ones. NTU joint <- SMPL-H output:

====  ==============  =========================================
NTU   name            SMPL-H (smplx index, name)
====  ==============  =========================================
0     spine base      0 pelvis
1     spine mid       3 spine1
2     neck            12 neck
3     head            15 head
4     left shoulder   16 left_shoulder
5     left elbow      18 left_elbow
6     left wrist      20 left_wrist
7     left hand       22 left_index1
8     right shoulder  17 right_shoulder
9     right elbow     19 right_elbow
10    right wrist     21 right_wrist
11    right hand      37 right_index1
12    left hip        1 left_hip
13    left knee       4 left_knee
14    left ankle      7 left_ankle
15    left foot       10 left_foot
16    right hip       2 right_hip
17    right knee      5 right_knee
18    right ankle     8 right_ankle
19    right foot      11 right_foot
20    spine shoulder  9 spine3
21    left hand tip   63 left thumb tip (vertex 2746)
22    left thumb      64 left index tip (vertex 2319)
23    right hand tip  68 right thumb tip (vertex 6191)
24    right thumb     69 right index tip (vertex 5782)
====  ==============  =========================================

Note the last four: NTU's hand tip gets the thumb tip and NTU's thumb the
index tip. Kept as published, for comparable numbers.
"""

GENDERS = ('male', 'female', 'neutral')
GENDER_CHOICES = GENDERS + ('from-file', )

SMPLH_POSE_DIM = 156
SMPLH_JOINTS = 52
FK_CHUNK = 256
"""Frames per SMPL-H forward pass (bounds the memory of skinning)."""


_REQUIRED_SMPLH_ARRAYS = ('v_template', 'shapedirs', 'posedirs',
                          'J_regressor', 'weights', 'kintree_table', 'f')


def _joints_mapping(path: str) -> Tuple[object, frozenset]:
    """``(mapping, keys)`` of a joints file, opened once per process and
    file version."""
    return _open_joints_file(path, os.getpid(), os.stat(path).st_mtime_ns)


@lru_cache(maxsize=2)
def _open_joints_file(path: str, pid: int,
                      mtime_ns: int) -> Tuple[object, frozenset]:
    """``(mapping, keys)`` of a joints file (an ``NpzFile`` reads lazily).

    Keyed by ``pid`` too: a forked worker must not share the parent's file
    offset.
    """
    try:
        if path.endswith('.npz'):
            mapping = np.load(path, allow_pickle=False)
            return mapping, frozenset(mapping.files)
        with open(path, 'rb') as f:
            mapping = pickle.load(f)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile,
            pickle.UnpicklingError) as err:
        raise RawDataError(f'{path}: unreadable joints file '
                           f'({type(err).__name__}: {err})') from err
    if not isinstance(mapping, dict):
        raise RawDataError(f'{path}: a joints .pkl must hold a dict feat_p -> '
                           f'(T, 25, 3) array, got {type(mapping).__name__}')
    return mapping, frozenset(mapping)


@dataclass(frozen=True)
class JointsFileJoints:
    """Joints read from a pre-extracted joints file.

    The file is a ``.npz`` (keys = ``feat_p`` exactly as in BABEL, read
    lazily, one key at a time) or a ``.pkl`` dict (loaded whole); each value
    is float ``(T, 25, 3)``: NTU-25 joints in metres, z up, one row per
    frame of the AMASS file (``T`` = its ``poses`` rows, at its
    ``mocap_framerate``).

    Args:
        path: The joints file.
    """
    path: str

    @classmethod
    def open(cls, path: str) -> 'JointsFileJoints':
        """Check that ``path`` is a readable joints file."""
        if not osp.isfile(path):
            raise RawDataError(f'{path}: joints file not found')
        source = cls(path)
        source.keys()
        return source

    def keys(self) -> frozenset:
        """The ``feat_p`` values the file holds."""
        return _joints_mapping(self.path)[1]

    def settings(self) -> dict:
        return dict(kind='joints-file')

    def input_digest(self, feat_p: str) -> str:
        """SHA-256 of the entry's dtype, shape and values."""
        joints = np.ascontiguousarray(_joints_mapping(self.path)[0][feat_p])
        digest = hashlib.sha256(f'{joints.dtype.str}{joints.shape}'.encode())
        digest.update(joints.tobytes())
        return digest.hexdigest()

    def missing_reason(self, feat_p: str) -> Optional[str]:
        if feat_p in self.keys():
            return None
        return f'not in joints file {self.path}'

    def joints(self, feat_p: str, motion: AmassMotion,
               frames: np.ndarray) -> np.ndarray:
        """float32 ``(len(frames), 25, 3)`` joints of ``feat_p``."""
        joints = np.asarray(_joints_mapping(self.path)[0][feat_p])
        if joints.shape != (motion.num_frames, 25, 3):
            raise RawDataError(
                f'{self.path}, key {feat_p!r}: joints must be ('
                f'{motion.num_frames}, 25, 3) (one row per AMASS frame), got '
                f'{joints.shape}')
        return joints[frames].astype(np.float32)


def _import_smplx():
    try:
        import smplx
    except ImportError as err:
        raise RawDataError(
            'SMPL-H forward kinematics needs the optional package smplx: '
            'pip install "snippet_plugin[babel]" (or pip install smplx), or '
            'pass pre-extracted joints with --joints-file') from err
    return smplx


def smplh_model_candidates(model_path: str, gender: str) -> List[str]:
    """Files tried for the ``gender`` SMPL-H model under folder
    ``model_path``: smplx's ``smplh/SMPLH_MALE.pkl`` layout (also without
    ``smplh/``, also ``.npz``) and the AMASS/MANO ``smplh/male/model.npz``
    layout."""
    upper = f'SMPLH_{gender.upper()}'
    names = [f'{upper}.pkl', f'{upper}.npz', osp.join(gender, 'model.npz')]
    return [osp.join(model_path, folder, name)
            for folder in ('smplh', '') for name in names]


def resolve_smplh_models(model_path: str,
                         gender: str) -> Tuple[Tuple[str, str], ...]:
    """``((gender, file), ...)`` of the models ``gender`` needs.

    A file ``model_path`` serves a single fixed gender. ``'from-file'``
    needs the male and female models in a folder and takes the neutral one
    if present.

    Raises:
        RawDataError: listing the paths tried for a model not found.
    """
    if gender not in GENDER_CHOICES:
        raise RawDataError(f'gender must be one of {GENDER_CHOICES}, got '
                           f'{gender!r}')
    if osp.isfile(model_path):
        if gender == 'from-file':
            raise RawDataError(
                f'{model_path}: --gender from-file needs a folder holding '
                'the male and female models, not one model file')
        return ((gender, model_path), )
    if not osp.isdir(model_path):
        raise RawDataError(f'{model_path}: SMPL-H body model not found')
    wanted = ('male', 'female', 'neutral') if gender == 'from-file' else (
        gender, )
    models = []
    for name in wanted:
        candidates = smplh_model_candidates(model_path, name)
        found = next((c for c in candidates if osp.isfile(c)), None)
        if found is not None:
            models.append((name, found))
        elif not (gender == 'from-file' and name == 'neutral'):
            raise RawDataError(
                f'{model_path}: no {name} SMPL-H body model; tried '
                + ', '.join(candidates))
    return tuple(models)


@lru_cache(maxsize=3)
def read_smplh_arrays(path: str) -> Dict[str, np.ndarray]:
    """The arrays of an SMPL-H model file, checked.

    Accepts smplx's chumpy-free ``SMPLH_*.pkl`` and the AMASS/MANO
    ``model.npz``. Hand PCA arrays (unused: full hand poses, flat hand mean)
    are zero-filled when the file lacks them.

    Raises:
        RawDataError: naming ``path`` if it cannot be read or is not an
            SMPL-H model.
    """
    try:
        if path.endswith('.npz'):
            with np.load(path, allow_pickle=True) as f:
                raw = {key: f[key] for key in f.files}
        else:
            with open(path, 'rb') as f:
                raw = dict(pickle.load(f, encoding='latin1'))
    except ModuleNotFoundError as err:
        raise RawDataError(
            f'{path}: the model pickle needs module {err.name!r}; use a '
            'chumpy-free model (the AMASS "Extended SMPL+H" model.npz, or '
            "smplx's tools/clean_ch.py)") from err
    except (OSError, ValueError, EOFError, TypeError, zipfile.BadZipFile,
            pickle.UnpicklingError) as err:
        raise RawDataError(f'{path}: unreadable SMPL-H model '
                           f'({type(err).__name__}: {err})') from err
    missing = [k for k in _REQUIRED_SMPLH_ARRAYS if k not in raw]
    if missing:
        raise RawDataError(f'{path}: not an SMPL-H model, missing {missing}')
    arrays = {
        key: np.asarray(value.toarray() if hasattr(value, 'toarray') else
                        value)
        for key, value in raw.items() if key in _REQUIRED_SMPLH_ARRAYS
    }
    if arrays['J_regressor'].shape[0] != SMPLH_JOINTS:
        raise RawDataError(
            f'{path}: not an SMPL-H model ({arrays["J_regressor"].shape[0]} '
            f'joints, SMPL-H has {SMPLH_JOINTS})')
    for side in 'lr':
        arrays[f'hands_components{side}'] = np.asarray(
            raw.get(f'hands_components{side}', np.zeros((45, 45))))
        arrays[f'hands_mean{side}'] = np.asarray(
            raw.get(f'hands_mean{side}', np.zeros(45)))
    return arrays


@lru_cache(maxsize=3)
def _smplh_layer(path: str, gender: str):
    """An smplx SMPL-H model of the file (one per process and file)."""
    smplx = _import_smplx()
    arrays = read_smplh_arrays(path)
    with contextlib.redirect_stdout(io.StringIO()):  # smplx's 10-beta note
        return smplx.SMPLH(path, data_struct=SimpleNamespace(**arrays),
                           gender=gender, use_pca=False,
                           flat_hand_mean=True)


@dataclass(frozen=True)
class SMPLHJoints:
    """NTU-25 joints by SMPL-H forward kinematics (smplx).

    Per frame, ``poses`` is split into root orientation ``[:3]``, body
    ``[3:66]`` and the two hands ``[66:111]``, ``[111:156]`` (full
    axis-angle hand poses, so ``use_pca=False``; no hand mean is added,
    ``flat_hand_mean=True``, as AMASS poses are absolute). The 73 outputs
    are mapped by :data:`SMPLH73_TO_NTU25`. smplx caps an SMPL-H model at 10
    shape coefficients; with ``use_betas`` all of the file's betas (up to
    the model's shape components) are applied to the template directly.

    Args:
        models: ``((gender, model file), ...)`` from
            :func:`resolve_smplh_models`.
        gender: A fixed gender, or ``'from-file'`` (the AMASS file's).
        use_betas: Apply the file's body shape (default: mean shape).
        with_translation: Add the file's root translation ``trans``
            (default: none, the root stays near the origin).
    """
    models: Tuple[Tuple[str, str], ...]
    gender: str = 'male'
    use_betas: bool = False
    with_translation: bool = False

    @classmethod
    def open(cls, model_path: str, gender: str = 'male',
             use_betas: bool = False,
             with_translation: bool = False) -> 'SMPLHJoints':
        """Find and check every model needed before any work starts.

        Raises:
            RawDataError: smplx missing, or a model missing or unreadable.
        """
        models = resolve_smplh_models(model_path, gender)
        _import_smplx()
        for _, path in models:
            read_smplh_arrays(path)
        return cls(models, gender, use_betas, with_translation)

    def settings(self) -> dict:
        return dict(kind='smplh', gender=self.gender,
                    use_betas=self.use_betas,
                    with_translation=self.with_translation,
                    joint_map=list(SMPLH73_TO_NTU25),
                    models={g: file_sha256(p) for g, p in self.models})

    def input_digest(self, feat_p: str) -> str:
        """Empty: the models' content is in :meth:`settings`, the motion's
        in the AMASS file."""
        return ''

    def missing_reason(self, feat_p: str) -> Optional[str]:
        return None

    def model_file(self, motion: AmassMotion, where: str) -> Tuple[str, str]:
        """``(gender, file)`` of the model for ``motion``."""
        gender = motion.gender if self.gender == 'from-file' else self.gender
        files = dict(self.models)
        if gender not in files:
            raise RawDataError(f'{where}: gender {gender!r} has no SMPL-H '
                               f'model (have {sorted(files)})')
        return gender, files[gender]

    def joints(self, feat_p: str, motion: AmassMotion,
               frames: np.ndarray) -> np.ndarray:
        """float32 ``(len(frames), 25, 3)`` joints of ``motion``."""
        import torch
        if motion.poses.shape[1] != SMPLH_POSE_DIM:
            raise RawDataError(f'{feat_p}: SMPL-H poses need '
                               f'{SMPLH_POSE_DIM} values per frame, got '
                               f'{motion.poses.shape[1]}')
        needed = (['trans'] if self.with_translation else []) + (
            ['betas'] if self.use_betas else []) + (
                ['gender'] if self.gender == 'from-file' else [])
        absent = [k for k in needed if getattr(motion, k) is None]
        if absent:
            raise RawDataError(f'{feat_p}: AMASS file lacks {absent}')
        gender, path = self.model_file(motion, feat_p)
        layer = _smplh_layer(path, gender)
        arrays = read_smplh_arrays(path)
        template = arrays['v_template'].astype(np.float64)
        if self.use_betas:
            count = min(len(motion.betas), arrays['shapedirs'].shape[-1])
            template = template + arrays['shapedirs'][..., :count] @ \
                motion.betas[:count].astype(np.float64)
        layer.v_template = torch.as_tensor(template, dtype=torch.float32)
        poses = torch.as_tensor(motion.poses[frames])
        trans = torch.as_tensor(motion.trans[frames]) if \
            self.with_translation else torch.zeros(len(frames), 3)
        chunks = []
        with torch.no_grad():
            for first in range(0, len(frames), FK_CHUNK):
                pose = poses[first:first + FK_CHUNK]
                output = layer(
                    betas=torch.zeros(len(pose), layer.num_betas),
                    global_orient=pose[:, :3], body_pose=pose[:, 3:66],
                    left_hand_pose=pose[:, 66:111],
                    right_hand_pose=pose[:, 111:156],
                    transl=trans[first:first + FK_CHUNK], return_verts=False)
                chunks.append(output.joints[:, list(SMPLH73_TO_NTU25)].numpy())
        return np.concatenate(chunks).astype(np.float32)


class JointSource(Protocol):
    """Where joints come from: :class:`SMPLHJoints` or
    :class:`JointsFileJoints` (picklable, so workers can use it)."""

    def settings(self) -> dict:
        """The options that shape the joints and the content digests of the
        files every sequence shares (key the joint cache's folder)."""

    def input_digest(self, feat_p: str) -> str:
        """Digest of the source's own input for ``feat_p`` (keys the cache
        entry with the AMASS file's content)."""

    def missing_reason(self, feat_p: str) -> Optional[str]:
        """Why ``feat_p`` cannot be converted, or ``None``."""

    def joints(self, feat_p: str, motion: AmassMotion,
               frames: np.ndarray) -> np.ndarray:
        """float32 ``(len(frames), 25, 3)`` joints at source ``frames``."""

"""AMASS files: where BABEL's ``feat_p`` lies under the AMASS root, and
reading one ``.npz`` motion."""
import hashlib
import io
import os.path as osp
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import List, Optional, Tuple

import numpy as np

from ..common import RawDataError


AMASS_FOLDER_ALIASES = (
    ('BMLrub', 'BioMotionLab_NTroje'),
    ('DFaust', 'DFaust_67', 'DFaust67'),
    ('EyesJapanDataset', 'Eyes_Japan_Dataset'),
    ('HDM05', 'MPI_HDM05', 'MPIHDM05'),
    ('MoSh', 'MPI_mosh', 'MPImosh'),
    ('PosePrior', 'MPI_Limits', 'MPILimits'),
    ('SSM', 'SSM_synced', 'SSMsynced'),
    ('TCDHands', 'TCD_handMocap', 'TCDhandMocap'),
    ('Transitions', 'Transitions_mocap', 'Transitionsmocap'),
)
"""Every spelling of one AMASS sub-dataset folder: the current AMASS
download name, the earlier one, and BABEL's own (the first component of
``feat_p``, e.g. ``DFaust67/DFaust_67/...``, ``MPIHDM05/MPI_HDM05/...``).
Any of them is looked up under any other. The sub-datasets spelled alike
everywhere (ACCAD, BMLmovi, CMU, EKUT, HumanEva, KIT, SFU, TotalCapture)
need no entry."""


def folder_aliases(name: str) -> Tuple[str, ...]:
    """``name`` and its other spellings (:data:`AMASS_FOLDER_ALIASES`)."""
    for group in AMASS_FOLDER_ALIASES:
        if name in group:
            return (name, ) + tuple(n for n in group if n != name)
    return (name, )


def amass_candidates(amass_root: str, feat_p: str) -> List[str]:
    """Where the AMASS file of ``feat_p`` may be, in lookup order.

    ``feat_p``'s first component is the sub-dataset folder (either spelling
    of :data:`AMASS_FOLDER_ALIASES`); the sub-dataset archives extract to a
    folder of that name, so ``root/<dataset>/<rest>`` and the doubled
    ``root/<dataset>/<dataset>/<rest>`` are both tried, whether ``feat_p``
    itself has the doubled folder (``CMU/CMU/02/...``) or not.
    """
    parts = PurePosixPath(feat_p).parts
    names = folder_aliases(parts[0])
    inner = parts[1:]
    if len(inner) > 1 and inner[0] in names:
        inner = inner[1:]
    candidates = []
    for outer in names:
        candidates.append(osp.join(amass_root, outer, *inner))
        candidates += [
            osp.join(amass_root, outer, second, *inner) for second in names
        ]
    return list(dict.fromkeys(candidates))


def find_amass_file(amass_root: str, feat_p: str) -> Optional[str]:
    """The first existing :func:`amass_candidates` path, else ``None``."""
    return next((path for path in amass_candidates(amass_root, feat_p)
                 if osp.isfile(path)), None)


@dataclass
class AmassMotion:
    """One AMASS sequence.

    Attributes:
        poses: float32 ``(T, P)`` axis-angle pose parameters.
        fps: ``mocap_framerate``.
        trans: float32 ``(T, 3)`` root translation, or ``None``.
        betas: float32 ``(B,)`` shape, or ``None``.
        gender: ``'male'``, ``'female'``, ``'neutral'``, or ``None``.
        digest: SHA-256 of the file's bytes (keys the joint cache).
    """
    poses: np.ndarray
    fps: float
    trans: Optional[np.ndarray] = None
    betas: Optional[np.ndarray] = None
    gender: Optional[str] = None
    digest: str = ''

    @property
    def num_frames(self) -> int:
        return len(self.poses)

    @property
    def duration(self) -> float:
        """``T / fps`` seconds (every frame lasting ``1 / fps``)."""
        return self.num_frames / self.fps


def _decode_gender(value: np.ndarray) -> str:
    """``'male'`` from ``array('male')``, ``array(b'male')`` or ``[...]``."""
    item = np.asarray(value).reshape(-1)[0]
    if isinstance(item, bytes):
        item = item.decode()
    return str(item).strip().lower()


def read_amass_motion(path: str) -> AmassMotion:
    """Read an AMASS ``.npz`` (``poses`` and the frame rate required) and
    the digest of its bytes.

    Raises:
        RawDataError: naming ``path`` if it is unreadable, lacks a field or
            has no frames.
    """
    try:
        with open(path, 'rb') as f:
            content = f.read()
        with np.load(io.BytesIO(content), allow_pickle=False) as f:
            arrays = {key: f[key] for key in f.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise RawDataError(f'{path}: unreadable AMASS file '
                           f'({type(err).__name__}: {err})') from err
    fps_key = next((k for k in ('mocap_framerate', 'mocap_frame_rate')
                    if k in arrays), None)
    if 'poses' not in arrays or fps_key is None:
        raise RawDataError(f'{path}: AMASS file needs "poses" and '
                           f'"mocap_framerate", has {sorted(arrays)}')
    poses = np.asarray(arrays['poses'], dtype=np.float32)
    fps = float(np.asarray(arrays[fps_key]).reshape(-1)[0])
    if poses.ndim != 2 or len(poses) == 0:
        raise RawDataError(f'{path}: "poses" must be (T, P) with T > 0, got '
                           f'shape {poses.shape}')
    if not fps > 0 or not np.isfinite(fps):
        raise RawDataError(f'{path}: invalid frame rate {fps}')
    return AmassMotion(
        poses=poses, fps=fps,
        trans=(np.asarray(arrays['trans'], dtype=np.float32)
               if 'trans' in arrays else None),
        betas=(np.asarray(arrays['betas'], dtype=np.float32).reshape(-1)
               if 'betas' in arrays else None),
        gender=(_decode_gender(arrays['gender'])
                if 'gender' in arrays else None),
        digest=hashlib.sha256(content).hexdigest())

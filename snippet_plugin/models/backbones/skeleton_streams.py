"""Input streams of a skeleton sequence: joints, their frame-to-frame
motion, and bones. Shared by the raw-pose floor (:class:`RawPoseEncoder`,
as frame features) and by :class:`MultiScaleGCN` (as extra input channels
of a GCN, the multi-stream input of most skeleton contrastive papers)."""
from typing import Sequence, Tuple

import torch

SKELETON_STREAMS = ('joint', 'velocity', 'bone')
"""Stream names, in any order and subset."""


def check_stream_names(streams: Sequence[str]) -> Tuple[str, ...]:
    """``streams`` as a tuple, or ``ValueError`` unless they are distinct
    names of :data:`SKELETON_STREAMS` (at least one)."""
    streams = tuple(streams)
    unknown = [s for s in streams if s not in SKELETON_STREAMS]
    if not streams or unknown or len(set(streams)) != len(streams):
        raise ValueError(f'streams must be distinct names from '
                         f'{SKELETON_STREAMS}, got {list(streams)}')
    return streams


def present_frames(skeletons: torch.Tensor) -> torch.Tensor:
    """Which person-frames hold a skeleton.

    Padding (``PadFrames``, ``FixPersonCount``) and missing persons are
    exactly zero, and ``NormalizeSkeleton3D`` keeps them zero, so a
    person-frame is present iff one of its coordinates is non-zero.

    Args:
        skeletons: ``(N, M, T, V, C)``.

    Returns:
        ``(N, M, T)`` bool.
    """
    return skeletons.ne(0).flatten(-2).any(-1)


def frame_velocities(skeletons: torch.Tensor) -> torch.Tensor:
    """Backward frame-to-frame differences between present frames only.

    ``v_t = x_t - x_{t-1}`` where both person-frames are present
    (:func:`present_frames`), else 0; ``v_0 = 0``. A frame next to padding
    or a missing frame thus never takes a difference against zeros.

    Args:
        skeletons: ``(N, M, T, V, C)``.

    Returns:
        ``(N, M, T, V, C)``.
    """
    present = present_frames(skeletons)
    both = torch.zeros_like(present)
    both[:, :, 1:] = present[:, :, 1:] & present[:, :, :-1]
    velocities = torch.zeros_like(skeletons)
    velocities[:, :, 1:] = skeletons[:, :, 1:] - skeletons[:, :, :-1]
    return velocities * both[..., None, None]


def bone_vectors(skeletons: torch.Tensor,
                 bone_pairs: Sequence[Tuple[int, int]]) -> torch.Tensor:
    """``x_child - x_parent`` for each ``(child, parent)`` pair, 0 for
    joints that are no child (the centre joint).

    Args:
        skeletons: ``(..., V, C)``.
        bone_pairs: ``(child, parent)`` joint indices, e.g. MMAction2
            ``Graph(layout).inward``.

    Returns:
        Same shape as ``skeletons``.
    """
    bones = torch.zeros_like(skeletons)
    for child, parent in bone_pairs:
        bones[..., child, :] = skeletons[..., child, :] - skeletons[...,
                                                                    parent, :]
    return bones


def skeleton_stream(name: str, skeletons: torch.Tensor,
                    bone_pairs: Sequence[Tuple[int, int]] = (),
                    velocity_weight: float = 1.0) -> torch.Tensor:
    """One stream ``(N, M, T, V, C)`` of skeletons ``(N, M, T, V, C)``:
    ``'joint'`` the coordinates, ``'velocity'`` ``velocity_weight`` times
    :func:`frame_velocities`, ``'bone'`` :func:`bone_vectors`."""
    if name == 'joint':
        return skeletons
    if name == 'velocity':
        return velocity_weight * frame_velocities(skeletons)
    if name == 'bone':
        return bone_vectors(skeletons, bone_pairs)
    raise ValueError(f'unknown stream {name!r}; known: {SKELETON_STREAMS}')

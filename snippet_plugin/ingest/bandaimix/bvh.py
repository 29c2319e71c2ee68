"""A strict BVH reader and vectorised forward kinematics.

A BVH file is a ``HIERARCHY`` (a tree of ``ROOT``/``JOINT`` blocks, each
with an ``OFFSET`` and ``CHANNELS``, leaves closed by ``End Site`` blocks)
followed by a ``MOTION`` block (``Frames: N``, ``Frame Time: t`` and ``N``
lines of channel values, joints in hierarchy order, each joint's channels
in its declared order). :func:`read_bvh` returns a :class:`BvhClip`;
anything malformed raises :class:`BvhError` naming the file and the line
(and, for values, the frame, joint and channel).

Channel semantics (:func:`local_transforms`):

- **Rotation channels** (``Xrotation`` ...) are Euler angles in degrees,
  applied in the listed order as intrinsic rotations: ``Zrotation
  Xrotation Yrotation`` is ``R = R_z R_x R_y`` acting on column vectors in
  the joint's frame.
- **Position channels** (``Xposition`` ...) *replace* the corresponding
  ``OFFSET`` component: the joint's translation in its parent's frame is
  the channel value. This is how the Bandai-Namco files must be read:
  every joint carries 6 channels, the non-root joints' position channels
  repeat their ``OFFSET`` (to 1e-5 cm in all 3,076 clips), while the
  ``Hips`` ``OFFSET`` holds a stale position (e.g. ``0.85 93.98 -452.2``)
  and its channels hold the motion (hips at about 93 cm); adding both
  would double every bone and put the hips at 1.87 m.

Why no library: pybvh (0.9) refuses position channels on non-root joints,
which every Bandai-Namco joint has; bvhio (1.5) pins PyGLM and
spatial-transform to exact versions and builds per-frame Python objects
(no vectorised kinematics over frames), skips unknown channel names and
accepts NaN; bvh (0.3, 2017) and bvhtoolbox (0.1, 2020) are unmaintained
tokenisers without kinematics. None reports the line of a bad value. The
reader here is one pass over the text plus one numpy conversion, and the
kinematics are numpy over all frames at once.
"""
from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from ..quaternion import (IDENTITY, quat_from_axis_angle, quat_multiply,
                          quat_rotate)

AXES = {'X': 0, 'Y': 1, 'Z': 2}
CHANNEL_NAMES = tuple(f'{axis}{kind}' for kind in ('position', 'rotation')
                      for axis in 'XYZ')
"""The six channel names a BVH joint may list."""


class BvhError(ValueError):
    """Malformed BVH input; the message names the file and the line."""


@dataclass(frozen=True)
class BvhSkeleton:
    """The hierarchy of a BVH file.

    Attributes:
        names: ``(J,)`` joint names (``ROOT`` first, parents before
            children).
        parents: int ``(J,)`` parent index per joint, ``-1`` for the root.
        offsets: ``(J, 3)`` ``OFFSET`` of each joint in its parent's frame.
        channels: Channel names of each joint, in file order.
        end_sites: ``(parent joint index, (3,) offset)`` of each
            ``End Site``.
    """
    names: Tuple[str, ...]
    parents: np.ndarray
    offsets: np.ndarray
    channels: Tuple[Tuple[str, ...], ...]
    end_sites: Tuple[Tuple[int, np.ndarray], ...]

    @property
    def num_channels(self) -> int:
        """Values per motion line."""
        return sum(len(c) for c in self.channels)


@dataclass(frozen=True)
class BvhClip:
    """A parsed BVH file.

    Attributes:
        path: The file it came from (for messages).
        skeleton: Its hierarchy.
        frame_time: Seconds per frame (``Frame Time``).
        motion: float64 ``(T, C)`` channel values, columns in hierarchy and
            channel order.
        motion_line: Line number (1-based) of the first motion frame.
    """
    path: str
    skeleton: BvhSkeleton
    frame_time: float
    motion: np.ndarray
    motion_line: int


class _Lines:
    """Non-blank lines of a file with their 1-based numbers."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = [(number, line.split())
                      for number, line in enumerate(text.splitlines(), 1)
                      if line.strip()]
        self.pos = 0
        self.last_number = max(1, len(text.splitlines()))

    def error(self, number: int, message: str) -> BvhError:
        return BvhError(f'{self.path}, line {number}: {message}')

    def next(self, expected: str) -> Tuple[int, List[str]]:
        """The next line's number and tokens; ``expected`` names it for the
        end-of-file message."""
        if self.pos >= len(self.lines):
            raise self.error(self.last_number,
                             f'file ends early, expected {expected}')
        self.pos += 1
        return self.lines[self.pos - 1]


def _floats(lines: _Lines, number: int, tokens: List[str], what: str):
    try:
        values = np.array([float(t) for t in tokens])
    except ValueError:
        raise lines.error(number, f'{what} must be numbers, got '
                          f'{" ".join(tokens)!r}') from None
    if not np.isfinite(values).all():
        raise lines.error(number, f'non-finite {what}: {" ".join(tokens)}')
    return values


def _parse_offset(lines: _Lines, owner: str) -> np.ndarray:
    """The ``OFFSET x y z`` line of ``owner`` (a joint or an End Site)."""
    number, tokens = lines.next(f'OFFSET of {owner}')
    if tokens[0] != 'OFFSET' or len(tokens) != 4:
        raise lines.error(number, f'expected "OFFSET x y z" for {owner}, '
                          f'got {" ".join(tokens)!r}')
    return _floats(lines, number, tokens[1:], 'OFFSET values')


def _parse_joint(lines: _Lines, name: str, parent: int, joints: list,
                 end_sites: list) -> None:
    """Parse the ``{ ... }`` block of joint ``name`` (keyword line read)."""
    number, tokens = lines.next(f"'{{' opening joint {name!r}")
    if tokens != ['{']:
        raise lines.error(number, f"expected '{{' after joint {name!r}, got "
                          f'{" ".join(tokens)!r}')
    offset = _parse_offset(lines, f'joint {name!r}')
    number, tokens = lines.next(f'CHANNELS of joint {name!r}')
    if tokens[0] != 'CHANNELS' or len(tokens) < 2 or \
            not tokens[1].isdigit():
        raise lines.error(number, f'expected "CHANNELS n name ..." for joint '
                          f'{name!r}, got {" ".join(tokens)!r}')
    channels = tuple(tokens[2:])
    if int(tokens[1]) != len(channels):
        raise lines.error(number, f'joint {name!r}: CHANNELS declares '
                          f'{tokens[1]} channels but lists {len(channels)}')
    for channel in channels:
        if channel not in CHANNEL_NAMES:
            raise lines.error(number, f'joint {name!r}: unknown channel '
                              f'{channel!r}; expected one of '
                              f'{", ".join(CHANNEL_NAMES)}')
    if len(set(channels)) != len(channels):
        raise lines.error(number, f'joint {name!r}: a channel is listed '
                          f'twice: {" ".join(channels)}')
    index = len(joints)
    joints.append((name, parent, offset, channels))
    while True:
        number, tokens = lines.next(f"'}}' closing joint {name!r}")
        if tokens == ['}']:
            return
        if tokens[0] == 'JOINT' and len(tokens) == 2:
            _parse_joint(lines, tokens[1], index, joints, end_sites)
        elif tokens == ['End', 'Site']:
            end_sites.append((index, _parse_end_site(lines, name)))
        else:
            raise lines.error(number, f'expected JOINT, End Site or '
                              f"'}}' in joint {name!r}, got "
                              f'{" ".join(tokens)!r}')


def _parse_end_site(lines: _Lines, parent: str) -> np.ndarray:
    """The offset of an ``End Site`` block (keyword line read)."""
    what = f'End Site of joint {parent!r}'
    number, tokens = lines.next(f"'{{' opening the {what}")
    if tokens != ['{']:
        raise lines.error(number, f"expected '{{' after the {what}")
    offset = _parse_offset(lines, f'the {what}')
    number, tokens = lines.next(f"'}}' closing the {what}")
    if tokens != ['}']:
        raise lines.error(number, f"expected '}}' closing the {what}, got "
                          f'{" ".join(tokens)!r}')
    return offset


def _parse_header(lines: _Lines) -> Tuple[int, float]:
    """``MOTION``, ``Frames:`` and ``Frame Time:`` lines."""
    number, tokens = lines.next('MOTION')
    if tokens != ['MOTION']:
        raise lines.error(number, f'expected MOTION after the hierarchy, got '
                          f'{" ".join(tokens)!r}')
    number, tokens = lines.next('"Frames: N"')
    if tokens[0] != 'Frames:' or len(tokens) != 2 or not tokens[1].isdigit():
        raise lines.error(number, f'expected "Frames: N", got '
                          f'{" ".join(tokens)!r}')
    num_frames = int(tokens[1])
    if num_frames < 1:
        raise lines.error(number, 'Frames: 0, the clip has no motion')
    number, tokens = lines.next('"Frame Time: t"')
    if tokens[:2] != ['Frame', 'Time:'] or len(tokens) != 3:
        raise lines.error(number, f'expected "Frame Time: t", got '
                          f'{" ".join(tokens)!r}')
    frame_time = float(_floats(lines, number, tokens[2:], 'Frame Time')[0])
    if frame_time <= 0:
        raise lines.error(number, f'Frame Time must be positive, got '
                          f'{tokens[2]}')
    return num_frames, frame_time


def _channel_name(skeleton: BvhSkeleton, column: int) -> str:
    """``joint 'Spine', Xrotation`` of a motion column."""
    for name, channels in zip(skeleton.names, skeleton.channels):
        if column < len(channels):
            return f'joint {name!r}, {channels[column]}'
        column -= len(channels)
    raise IndexError(column)


def _parse_motion(lines: _Lines, skeleton: BvhSkeleton,
                  num_frames: int) -> Tuple[np.ndarray, int]:
    """The ``(T, C)`` motion values and the first motion line's number."""
    rows = lines.lines[lines.pos:]
    width = skeleton.num_channels
    if len(rows) < num_frames:
        raise lines.error(
            lines.last_number,
            f'file ends after {len(rows)} of the {num_frames} frames that '
            '"Frames:" declares (truncated MOTION block?)')
    if len(rows) > num_frames:
        raise lines.error(
            rows[num_frames][0], f'frame {num_frames + 1} found but "Frames:" '
            f'declares {num_frames} frames')
    for frame, (number, tokens) in enumerate(rows):
        if len(tokens) != width:
            raise lines.error(
                number, f'frame {frame}: {len(tokens)} values, the hierarchy '
                f'declares {width} channels ({len(skeleton.names)} joints)')
    try:
        motion = np.array([tokens for _, tokens in rows], dtype=np.float64)
    except ValueError:
        for frame, (number, tokens) in enumerate(rows):
            for column, token in enumerate(tokens):
                try:
                    float(token)
                except ValueError:
                    raise lines.error(
                        number, f'frame {frame}, '
                        f'{_channel_name(skeleton, column)}: {token!r} is '
                        'not a number') from None
        raise
    bad = ~np.isfinite(motion)
    if bad.any():
        frame, column = np.argwhere(bad)[0]
        raise lines.error(
            rows[frame][0], f'frame {frame}, {_channel_name(skeleton, column)}'
            f': non-finite value {rows[frame][1][column]!r}')
    return motion, rows[0][0]


def parse_bvh(text: str, path: str = '<string>') -> BvhClip:
    """Parse BVH text (see module doc); ``path`` names it in errors.

    Raises:
        BvhError: on any malformed line, naming ``path`` and the line.
    """
    lines = _Lines(path, text)
    number, tokens = lines.next('HIERARCHY')
    if tokens != ['HIERARCHY']:
        raise lines.error(number, f'expected HIERARCHY, got '
                          f'{" ".join(tokens)!r}')
    number, tokens = lines.next('ROOT')
    if tokens[0] != 'ROOT' or len(tokens) != 2:
        raise lines.error(number, f'expected "ROOT name", got '
                          f'{" ".join(tokens)!r}')
    joints: list = []
    end_sites: list = []
    _parse_joint(lines, tokens[1], -1, joints, end_sites)
    names = tuple(name for name, _, _, _ in joints)
    if len(set(names)) != len(names):
        raise BvhError(f'{path}: joint names repeat: {names}')
    skeleton = BvhSkeleton(
        names=names,
        parents=np.array([parent for _, parent, _, _ in joints]),
        offsets=np.stack([offset for _, _, offset, _ in joints]),
        channels=tuple(channels for _, _, _, channels in joints),
        end_sites=tuple(end_sites))
    num_frames, frame_time = _parse_header(lines)
    motion, first_line = _parse_motion(lines, skeleton, num_frames)
    return BvhClip(path, skeleton, frame_time, motion, first_line)


def read_bvh(path: str) -> BvhClip:
    """Read and parse the BVH file ``path`` (see :func:`parse_bvh`)."""
    with open(path, encoding='utf-8') as f:
        return parse_bvh(f.read(), path)


def local_transforms(clip: BvhClip) -> Tuple[np.ndarray, np.ndarray]:
    """Per-frame local translations and rotations of every joint.

    Returns:
        ``translations (T, J, 3)`` in the parent's frame (``OFFSET`` with
        each position channel's component replaced by the channel value)
        and ``rotations (T, J, 4)`` ``(w, x, y, z)``, the product of the
        joint's rotation channels in file order.
    """
    skeleton, motion = clip.skeleton, clip.motion
    num_frames = len(motion)
    translations = np.repeat(skeleton.offsets[None], num_frames, axis=0)
    rotations = np.tile(IDENTITY, (num_frames, len(skeleton.names), 1))
    column = 0
    for joint, channels in enumerate(skeleton.channels):
        for channel in channels:
            axis = AXES[channel[0]]
            if channel.endswith('position'):
                translations[:, joint, axis] = motion[:, column]
            else:
                rotations[:, joint] = quat_multiply(
                    rotations[:, joint],
                    quat_from_axis_angle(np.eye(3)[axis],
                                         np.deg2rad(motion[:, column])))
            column += 1
    return translations, rotations


def forward_kinematics(parents: np.ndarray, translations: np.ndarray,
                       rotations: np.ndarray
                       ) -> Tuple[np.ndarray, np.ndarray]:
    """World positions and orientations of a joint tree, all frames at once.

    ``p_j = p_parent + Q_parent t_j`` and ``Q_j = Q_parent q_j`` down the
    tree (the root's parent is the identity at the origin).

    Args:
        parents: int ``(J,)``, parents before children, ``-1`` for the root.
        translations: ``(T, J, 3)`` (or ``(J, 3)``, the same every frame)
            joint positions in the parent's frame.
        rotations: ``(T, J, 4)`` local rotations.

    Returns:
        ``positions (T, J, 3)`` and ``orientations (T, J, 4)``.
    """
    translations = np.broadcast_to(translations, rotations.shape[:-1] + (3, ))
    positions = np.zeros(translations.shape)
    orientations = np.zeros(rotations.shape)
    for joint, parent in enumerate(parents):
        if parent < 0:
            positions[:, joint] = translations[:, joint]
            orientations[:, joint] = rotations[:, joint]
        else:
            positions[:, joint] = positions[:, parent] + quat_rotate(
                orientations[:, parent], translations[:, joint])
            orientations[:, joint] = quat_multiply(orientations[:, parent],
                                                   rotations[:, joint])
    return positions, orientations


def joint_positions(clip: BvhClip) -> np.ndarray:
    """World positions ``(T, J, 3)`` of a clip's joints (file units)."""
    return forward_kinematics(clip.skeleton.parents,
                              *local_transforms(clip))[0]


__all__ = [
    'CHANNEL_NAMES', 'BvhError', 'BvhSkeleton', 'BvhClip', 'parse_bvh',
    'read_bvh', 'local_transforms', 'forward_kinematics', 'joint_positions'
]

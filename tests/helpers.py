"""Shared by several test modules: the repository's paths and config lists,
builders of small annotation files and of raw dataset files (PKU-MMD and NTU
RGB+D, single files and small worlds), a two-rank launcher, a tiny
SkeletonMoCo config, random unit rows and hand-built quaternions."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from snippet_plugin.datasets.annotation import (derive_frame_labels,
                                                derive_video_labels,
                                                save_annotations)

#: The repository root, for paths to configs/, tools/ and the package.
REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / 'configs'
#: The shipped configs (the tests of each folder parametrize over them).
ALL_CONFIGS = sorted(p for p in CONFIGS.rglob('*.py') if '_base_' not in
                     p.parts)
QUICKSTART = sorted((CONFIGS / 'quickstart').glob('*.py'))
KNN_CONFIGS = sorted((CONFIGS / 'knn').glob('knn_*.py'))
#: Stage-2 configs: ``<protocol>_<init>_<backbone>[_noneck]_<data>.py``.
STAGE2_PROTOCOL = re.compile(r'^(linear|finetune|weak|semi\d\d)_')
STAGE2 = [p for p in ALL_CONFIGS if STAGE2_PROTOCOL.match(p.name)]


def labelled_sample(name, keypoint, segments, num_classes, frame_labels=None):
    """An annotation sample whose derived fields agree with ``segments``.

    ``frame_labels`` defaults to the labels derived from ``segments``; pass
    a modified copy (e.g. with -1 frames) to override them.
    """
    frames = keypoint.shape[1]
    if frame_labels is None:
        frame_labels = derive_frame_labels(segments, frames, num_classes)
    return dict(frame_dir=name, total_frames=frames, keypoint=keypoint,
                segments=segments, frame_labels=frame_labels,
                label=derive_video_labels(segments))


def write_annotation_file(path, samples, classes, split):
    """Validate and save samples under ``meta``/``split``; return the dict."""
    data = dict(meta=dict(classes=list(classes), fps=30, layout='nturgb+d'),
                split=split, annotations=samples)
    save_annotations(data, str(path))
    return data


def write_pkummd_skeleton(path, first, second=None):
    """A PKU-MMD skeleton file: per frame one line of 150 numbers, body 1
    then body 2, each ``x1 y1 z1 ... x25 y25 z25``; absent body = zeros."""
    second = np.zeros_like(first) if second is None else second
    with open(path, 'w') as f:
        for a, b in zip(first, second):
            values = np.concatenate([a.reshape(-1), b.reshape(-1)])
            f.write(' '.join(f'{x:.4f}' for x in values) + '\n')


def encoded_joints(frames, offset):
    """``(T, 25, 3)`` coordinates that encode their own frame, joint, axis:
    ``offset + t + v / 100 + c / 1000`` (exact at 4 decimals)."""
    t, v, c = np.meshgrid(np.arange(frames), np.arange(25), np.arange(3),
                          indexing='ij')
    return offset + t + v / 100 + c / 1000


def write_pkummd_labels(path, rows):
    """A PKU-MMD label file: ``label,start,end,confidence`` per line."""
    with open(path, 'w') as f:
        f.write(''.join(f'{",".join(map(str, row))}\n' for row in rows))


def write_pkummd_world(root):
    """Three videos: 0002-L (1 body, 40 frames), 0002-M (2 bodies, the
    second in frames 10..19 only, 30 frames), 0005-R (1 body, 12 frames);
    an official-style split file with 0002-L, 0002-M training; in ``root``
    (``skeleton/``, ``label/``, ``cross-subject.txt``), returned."""
    skeletons, labels = root / 'skeleton', root / 'label'
    skeletons.mkdir()
    labels.mkdir()
    write_pkummd_skeleton(skeletons / '0002-L.txt', encoded_joints(40, 0))
    second = encoded_joints(30, 500)
    second[:10] = 0
    second[20:] = 0
    write_pkummd_skeleton(skeletons / '0002-M.txt', encoded_joints(30, 100),
                          second)
    write_pkummd_skeleton(skeletons / '0005-R.txt', encoded_joints(12, 200))
    write_pkummd_labels(labels / '0002-L.txt',
                        [(3, 5, 9, 1), (51, 20, 29, 2)])
    write_pkummd_labels(labels / '0002-M.txt',
                        [(12, 25, 29, 1), (1, 0, 0, 2)])
    write_pkummd_labels(labels / '0005-R.txt', [(7, 2, 4, 1)])
    split = root / 'cross-subject.txt'
    split.write_text('Training videos: \n0002-L, 0002-M, \n'
                     'Validataion videos: \n0005-R\n')
    return root


def write_ntu_skeleton(path, total_frames, bodies):
    """An NTU ``.skeleton`` file.

    Args:
        path: A ``pathlib.Path``.
        total_frames: The declared frame count.
        bodies: ``(body_id, frames, joints (len(frames), 25, 3))`` each;
            within a frame bodies are written in this order.
    """
    lines = [str(total_frames)]
    for frame in range(total_frames):
        present = [(body_id, joints[list(frames).index(frame)])
                   for body_id, frames, joints in bodies if frame in frames]
        lines.append(str(len(present)))
        for body_id, xyz in present:
            lines.append(f'{body_id} 0 1 1 1 1 0 -0.2237 0.1634 2')
            lines.append('25')
            lines += [
                f'{x:.4f} {y:.4f} {z:.4f} 271.4 203.1 1012.7 540.2 '
                '-0.2321 0.0121 0.9715 -0.0478 2' for x, y, z in xyz
            ]
    path.write_text('\n'.join(lines) + '\n')


def moving_joint(frames, joint, axis, values, offset):
    """Constant pose ``offset + v / 100`` with one coordinate following
    ``values`` over the frames."""
    xyz = np.broadcast_to(offset + np.arange(25)[:, None] / 100,
                          (frames, 25, 3)).copy()
    xyz[:, joint, axis] = values
    return xyz


# Motion energies by hand: A x of joint 0 = 0, 2, 0, 2, ... -> Var 1;
# B y of joint 3 = 0, 4, 0, 4 -> Var 4; C z of joint 5 = 0, 0.2 -> Var 0.01.
NTU_BODY_A = ('72057594037931101', range(8),
              moving_joint(8, 0, 0, [0, 2] * 4, 10))
NTU_BODY_B = ('72057594037931102', range(2, 6),
              moving_joint(4, 3, 1, [0, 4, 0, 4], 20))
NTU_BODY_C = ('72057594037931103', range(0, 2),
              moving_joint(2, 5, 2, [0, 0.2], 30))


def write_ntu_world(root):
    """Clips of performers 1 and 38 (xsub train), 3 and 40 (val), one of
    action 61, an empty one, one without bodies, one on the ignore list; in
    ``root`` (``nturgb+d_skeletons/``, ``missing.txt``), returned."""
    folder = root / 'nturgb+d_skeletons'
    folder.mkdir()
    write_ntu_skeleton(folder / 'S001C001P001R001A001.skeleton', 5,
                       [('1', range(5), encoded_joints(5, 0))])
    write_ntu_skeleton(folder / 'S001C002P003R001A050.skeleton', 8,
                       [NTU_BODY_C, NTU_BODY_A, NTU_BODY_B])
    write_ntu_skeleton(folder / 'S001C001P038R002A010.skeleton', 3,
                       [('1', range(3), encoded_joints(3, 0)),
                        ('2', range(3), encoded_joints(3, 100))])
    write_ntu_skeleton(folder / 'S002C003P040R001A020.skeleton', 4,
                       [('1', range(4), encoded_joints(4, 0))])
    write_ntu_skeleton(folder / 'S018C001P008R001A061.skeleton', 4,
                       [('1', range(4), encoded_joints(4, 0))])
    write_ntu_skeleton(folder / 'S001C001P002R001A030.skeleton', 4,
                       [('1', range(4), encoded_joints(4, 0))])
    (folder / 'S001C001P004R001A005.skeleton').write_text('0\n')
    (folder / 'S001C001P005R001A006.skeleton').write_text('3\n0\n0\n0\n')
    (folder / 'S001C001P005R001A007.skeleton').write_text('')
    (root / 'missing.txt').write_text('S001C001P002R001A030\n')
    return root


GLOO_LAUNCHER = '''
import os, socket, sys
import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def worker(rank, port, out):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    run(rank, out)
    dist.destroy_process_group()


if __name__ == '__main__':
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    mp.start_processes(worker, args=(port, sys.argv[1]), nprocs=2,
                       start_method='fork')
'''


def run_on_two_gloo_ranks(tmp_path, body):
    """Run ``body`` (source defining ``run(rank, out)``) on 2 CPU ranks.

    The ranks share a gloo process group; ``out`` is ``tmp_path``, where
    ``run`` saves what the test then reads.
    """
    script = tmp_path / 'two_ranks.py'
    script.write_text(body + GLOO_LAUNCHER)
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True,
                   timeout=120, cwd=REPO)


def tiny_moco_cfg(model_type, feat_dim, queue_size, temperature,
                  num_snippets=None, **kwargs):
    """Config of a SkeletonMoCo-family model (``model_type``) on a tiny
    ST-GCN: base 8 channels, T/8 layout, the last level 32 channels.

    ``num_snippets`` switches the snippet branch on; ``kwargs`` add or
    replace top-level model keys (e.g. RVTCLR's heads).
    """
    cfg = dict(
        type=model_type,
        backbone=dict(
            type='MultiScaleGCN',
            backbone=dict(type='STGCN',
                          graph_cfg=dict(layout='nturgb+d',
                                         mode='stgcn_spatial'),
                          base_channels=8, down_stages=[2, 5, 8])),
        global_head=dict(type='GlobalProjectionHead', in_channels=32,
                         out_channels=feat_dim),
        dense_head=None if num_snippets is None else dict(
            type='DenseProjectionHead', in_channels=32,
            out_channels=feat_dim, num_snippets=num_snippets),
        queue_size=queue_size, feat_dim=feat_dim, temperature=temperature)
    cfg.update(kwargs)
    return cfg


def unit_rows(*shape, seed=None):
    """Random rows of unit length along the last axis: from a generator
    seeded with ``seed``, or from torch's global generator."""
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(*shape, generator=generator), dim=-1)


def axis_angle(axis, degrees):
    """Hand-built quaternion (w, x, y, z)."""
    half = np.deg2rad(degrees) / 2
    return np.concatenate([[np.cos(half)],
                           np.sin(half) * np.asarray(axis, float)])


def linear_resize(values, length):
    """Rows ``(C, T_l)`` resampled to ``length`` columns by hand: column
    ``t`` reads position ``(t + 0.5) T_l / length - 0.5`` of each row,
    linearly between its two neighbours and clamped at both ends (the
    half-pixel convention of ``align_corners=False``)."""
    values = np.asarray(values, dtype=np.float64)
    positions = ((np.arange(length) + 0.5) * values.shape[1] / length - 0.5)
    return np.stack([np.interp(positions, np.arange(values.shape[1]), row)
                     for row in values])


def fused_frame_rows(levels, length, weights=None):
    """Hand fusion of per-level features ``[(C_l, T_l)]``: each resized to
    ``length`` frames (:func:`linear_resize`), normalised per frame, times
    ``sqrt(w_l / sum w)``, stacked over channels and normalised again:
    ``(length, sum C_l)``."""
    weights = np.ones(len(levels)) if weights is None else np.asarray(
        weights, dtype=np.float64)
    parts = []
    for values, weight in zip(levels, weights / weights.sum()):
        frames = linear_resize(values, length).T
        norms = np.linalg.norm(frames, axis=1, keepdims=True)
        parts.append(np.sqrt(weight) * frames / np.maximum(norms, 1e-12))
    rows = np.concatenate(parts, axis=1)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True),
                             1e-12)

"""Builders of small annotation files and a two-rank launcher, shared by
several test modules."""
import subprocess
import sys
from pathlib import Path

from snippet_plugin.datasets.annotation import (derive_frame_labels,
                                                derive_video_labels,
                                                save_annotations)


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
                   timeout=120, cwd=Path(__file__).resolve().parents[1])

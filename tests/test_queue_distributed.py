"""Under DDP, every rank enqueues the keys of all ranks, in rank order.

Two CPU processes (gloo backend) each enqueue their own keys; afterwards the
queues and pointers of both ranks must be identical and equal to writing
rank 0's keys, then rank 1's, into one queue, wrap-around included.
"""
import subprocess
import sys
from pathlib import Path

import torch

DDP_SCRIPT = '''
import os, socket, sys
import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def worker(rank, port, out):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    from snippet_plugin.models.selfsup.queue import QueueMemoryBank
    queue = QueueMemoryBank(size=5, dim=2)
    states = []
    for step in range(2):
        keys = torch.full((2, 2), 10. * step + rank) + torch.tensor([[0.], [.5]])
        queue.enqueue(keys)
        states.append([queue.queue.clone(), queue.ptr.clone()])
    torch.save(states, os.path.join(out, f'{rank}.pt'))
    dist.destroy_process_group()


if __name__ == '__main__':
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    mp.start_processes(worker, args=(port, sys.argv[1]), nprocs=2,
                       start_method='fork')
'''


def test_two_ranks_hold_identical_queues_of_all_gathered_keys(tmp_path):
    script = tmp_path / 'ddp_queue.py'
    script.write_text(DDP_SCRIPT)
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True,
                   timeout=120, cwd=Path(__file__).resolve().parents[1])
    rank0, rank1 = (torch.load(tmp_path / f'{r}.pt') for r in range(2))
    for (queue0, ptr0), (queue1, ptr1) in zip(rank0, rank1):
        assert torch.equal(queue0, queue1) and torch.equal(ptr0, ptr1)
    # step 0 writes rows 0-3: rank 0's keys (0, 0.5) then rank 1's (1, 1.5)
    first_queue, first_ptr = rank0[0]
    assert first_queue[:4, 0].tolist() == [0., .5, 1., 1.5]
    assert int(first_ptr) == 4
    # step 1 writes 10, 10.5, 11, 11.5 into rows 4, 0, 1, 2 (wrap-around)
    queue, ptr = rank0[1]
    assert queue[:, 0].tolist() == [10.5, 11., 11.5, 1.5, 10.]
    assert int(ptr) == 3

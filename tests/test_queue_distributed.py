"""Under DDP, every rank enqueues the keys of all ranks, in rank order.

Two CPU processes (gloo backend) each enqueue their own keys; afterwards the
queues and pointers of both ranks must be identical and equal to writing
rank 0's keys, then rank 1's, into one queue, wrap-around included.
"""
import torch
from helpers import run_on_two_gloo_ranks

RANK_BODY = '''
import os
import torch


def run(rank, out):
    from snippet_plugin.models.selfsup.queue import QueueMemoryBank
    queue = QueueMemoryBank(size=5, dim=2)
    states = []
    for step in range(2):
        keys = torch.full((2, 2), 10. * step + rank)
        keys += torch.tensor([[0.], [.5]])
        queue.enqueue(keys)
        states.append([queue.queue.clone(), queue.ptr.clone()])
    torch.save(states, os.path.join(out, f'{rank}.pt'))
'''


def test_two_ranks_hold_identical_queues_of_all_gathered_keys(tmp_path):
    run_on_two_gloo_ranks(tmp_path, RANK_BODY)
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

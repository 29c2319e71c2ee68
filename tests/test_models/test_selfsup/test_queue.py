"""QueueMemoryBank: FIFO order, wrap-around, detached negatives, the pointer
through a checkpoint, and under DDP (two gloo ranks) identical queues of the
keys of all ranks in rank order."""
import io

import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.models import QueueMemoryBank
from helpers import run_on_two_gloo_ranks, unit_rows


def rows(start, count, dim=2):
    """Distinguishable keys: row i is [start+i, -(start+i), ...]."""
    values = torch.arange(start, start + count, dtype=torch.float32)
    return torch.stack([values * (-1)**d for d in range(dim)], dim=1)


def test_queue_initial_rows_are_unit_vectors_and_pointer_zero():
    bank = QueueMemoryBank(size=6, dim=4)
    torch.testing.assert_close(bank.queue.norm(dim=1), torch.ones(6))
    assert bank.ptr.dtype == torch.long and int(bank.ptr) == 0


def test_queue_is_fifo_with_wrap_around():
    bank = QueueMemoryBank(size=5, dim=2)
    initial = bank.queue.clone()
    a = rows(10, 3)
    bank.enqueue(a)
    assert int(bank.ptr) == 3
    torch.testing.assert_close(bank.queue[:3], a)
    torch.testing.assert_close(bank.queue[3:], initial[3:])
    b = rows(20, 4)
    bank.enqueue(b)
    # b0 -> slot 3, b1 -> 4, b2 -> 0, b3 -> 1; slot 2 still holds a2.
    expected = torch.stack([b[2], b[3], a[2], b[0], b[1]])
    torch.testing.assert_close(bank.queue, expected)
    assert int(bank.ptr) == 2


def test_queue_batch_larger_than_size_keeps_the_last_keys_in_fifo_slots():
    bank = QueueMemoryBank(size=5, dim=2)
    bank.enqueue(rows(0, 1))  # ptr 1
    c = rows(100, 7)
    bank.enqueue(c)
    # one key at a time from slot 1: c0..c3 -> 1..4, c4 -> 0, c5 -> 1,
    # c6 -> 2; survivors: slot0 c4, slot1 c5, slot2 c6, slot3 c2, slot4 c3.
    torch.testing.assert_close(bank.queue,
                               torch.stack([c[4], c[5], c[6], c[2], c[3]]))
    assert int(bank.ptr) == (1 + 7) % 5


def test_queue_negatives_are_a_detached_copy_that_survives_enqueue():
    bank = QueueMemoryBank(size=4, dim=3)
    query = unit_rows(2, 3).requires_grad_()
    negatives = bank.negatives()
    assert not negatives.requires_grad
    logits = query @ negatives.t()
    bank.enqueue(unit_rows(4, 3))
    logits.sum().backward()  # would fail if negatives aliased the queue
    torch.testing.assert_close(query.grad, negatives.sum(0).expand(2, 3))


def test_queue_enqueue_detaches_keys_and_checks_their_shape():
    bank = QueueMemoryBank(size=4, dim=3)
    keys = unit_rows(2, 3).requires_grad_()
    bank.enqueue(keys)
    assert not bank.queue.requires_grad
    with pytest.raises(ValueError, match=r'\(B, 3\)'):
        bank.enqueue(unit_rows(2, 4))


def test_queue_pointer_and_contents_round_trip_through_state_dict_and_disk():
    bank = QueueMemoryBank(size=5, dim=2)
    bank.enqueue(rows(1, 3))
    restored = QueueMemoryBank(size=5, dim=2)
    restored.load_state_dict(bank.state_dict())
    assert torch.equal(restored.queue, bank.queue)
    assert int(restored.ptr) == 3

    buffer = io.BytesIO()
    torch.save(bank.state_dict(), buffer)
    buffer.seek(0)
    from_disk = QueueMemoryBank(size=5, dim=2)
    from_disk.load_state_dict(torch.load(buffer, weights_only=True))
    assert torch.equal(from_disk.queue, bank.queue)
    from_disk.enqueue(rows(50, 3))  # continues at slot 3 and wraps to 0
    assert int(from_disk.ptr) == 1
    torch.testing.assert_close(from_disk.queue[[3, 4, 0]], rows(50, 3))


def test_queue_is_registered():
    assert MODELS.get('QueueMemoryBank') is QueueMemoryBank


# ---- under DDP --------------------------------------------------------------


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

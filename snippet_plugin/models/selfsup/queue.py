"""FIFO memory bank of negative keys (MoCo queue)."""
import torch
import torch.nn.functional as F
from mmengine.dist import all_gather, get_world_size
from torch import nn

from mmaction.registry import MODELS


@MODELS.register_module()
class QueueMemoryBank(nn.Module):
    """First-in first-out queue of L2-normalised keys, the negatives
    ``{q_n}`` of Eq. 2 and ``{s'_k}`` of Eq. 5.

    The queue and its write pointer are registered buffers, so both survive
    ``state_dict()`` / checkpoints (resuming continues exactly where the
    run stopped).

    Args:
        size (int): Number of stored keys ``M``. Defaults to 32768.
        dim (int): Key dimension ``C``. Defaults to 128.

    Buffers:
        queue (Tensor): ``(size, dim)``, random unit rows at init.
        ptr (Tensor): long scalar, the next row to overwrite.
    """

    def __init__(self, size: int = 32768, dim: int = 128) -> None:
        super().__init__()
        if size < 1 or dim < 1:
            raise ValueError(f'size and dim must be positive, got {size}, '
                             f'{dim}')
        self.size = size
        self.dim = dim
        self.register_buffer('queue',
                             F.normalize(torch.randn(size, dim), dim=1))
        self.register_buffer('ptr', torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor) -> None:
        """Write keys from every rank, oldest rows first, with wrap-around.

        Under distributed training the keys of all ranks are gathered
        (``mmengine.dist.all_gather``, which needs the same ``B`` on every
        rank: use ``drop_last=True``) and concatenated in rank order. The
        result equals writing the keys one at a time: with ``B > size`` only
        the last ``size`` keys remain. The pointer advances by the number of
        gathered keys modulo ``size``.

        Args:
            keys (Tensor): ``(B, dim)`` keys (detached here).

        Raises:
            ValueError: on every rank, when the ranks' ``B`` differ (gloo
                would abort the process, NCCL hang or mix rows).
        """
        if keys.dim() != 2 or keys.shape[1] != self.dim:
            raise ValueError(f'expected keys (B, {self.dim}), got '
                             f'{tuple(keys.shape)}')
        if get_world_size() > 1:
            _check_same_batch_size(keys)
        keys = torch.cat(all_gather(keys.detach()), dim=0)
        num_keys = keys.shape[0]
        kept = keys[-self.size:]
        first = self.ptr + (num_keys - kept.shape[0])
        rows = (first + torch.arange(kept.shape[0], device=self.ptr.device)
                ) % self.size
        self.queue[rows] = kept.to(self.queue.dtype)
        self.ptr.copy_((self.ptr + num_keys) % self.size)

    def negatives(self) -> torch.Tensor:
        """The stored keys ``(size, dim)``, detached.

        A copy, not a view: the loss keeps it for the backward pass, which
        runs after :meth:`enqueue` has overwritten rows in place.
        """
        return self.queue.detach().clone()

    def extra_repr(self) -> str:
        return f'size={self.size}, dim={self.dim}'


def _check_same_batch_size(keys: torch.Tensor) -> None:
    """Refuse ranks that enqueue different numbers of keys ``(B, dim)``."""
    size = torch.tensor([keys.shape[0]], device=keys.device)
    sizes = [int(s) for s in all_gather(size)]
    if len(set(sizes)) > 1:
        raise ValueError(
            f'ranks enqueue different numbers of keys {sizes} (rank order): '
            'every rank needs the same batch size; set drop_last=True in '
            'train_dataloader and a dataset of at least world_size x '
            'batch_size samples')

"""Stop training at the first NaN/inf loss, before it is checkpointed."""
import torch
from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop

from mmaction.registry import HOOKS


class NonFiniteLossError(FloatingPointError):
    """A training loss became NaN or infinite."""


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Raise :class:`NonFiniteLossError` when a loss term is NaN or inf.

    Runs after every training iteration, before the checkpoint hook
    (priority ``VERY_HIGH`` vs ``VERY_LOW``), so the iteration that produced
    the non-finite loss (whose optimiser step has already corrupted the
    weights) is never saved, and the last good checkpoint stays the newest
    one. The message names the 1-based iteration (as in the logs and
    ``iter_<k>.pth``; and the epoch for epoch-based loops), every
    non-finite ``loss*`` term with its value, and the last checkpoint saved
    by this run (or says none was).

    Under DDP each rank checks its own losses; the gradient all-reduce
    spreads a NaN to every rank's weights, and ``torchrun`` stops the other
    ranks when one fails.
    """

    priority = 'VERY_HIGH'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Check the logged loss terms of this iteration."""
        bad = {
            name: float(torch.as_tensor(value).detach().float().mean())
            for name, value in (outputs or {}).items()
            if 'loss' in name and not torch.isfinite(
                torch.as_tensor(value)).all()
        }
        if not bad:
            return
        last = runner.message_hub.get_info('last_ckpt')
        terms = ', '.join(f'{name}={value}' for name, value in bad.items())
        where = f'iteration {runner.iter + 1}'
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            where += f' (epoch {runner.epoch + 1})'
        raise NonFiniteLossError(
            f'non-finite loss at {where}: {terms}. Training stopped without '
            'saving this state. Last good checkpoint: '
            f'{last if last else "none saved in this run"}.')

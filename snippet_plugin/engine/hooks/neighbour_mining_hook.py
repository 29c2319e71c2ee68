"""Switch nearest-neighbour positive mining on from a given epoch."""
from mmengine.hooks import Hook

from mmaction.registry import HOOKS
from ..runner_model import unwrapped_model


@HOOKS.register_module()
class NeighbourMiningHook(Hook):
    """Set ``model.mine_neighbours = runner.epoch >= start_epoch`` before
    every training epoch.

    AimCLR mines the nearest queue entries as extra positives in the second
    half of pretraining (``mining_epoch: 150`` of 300; its 1-based epoch
    ``e`` mines when ``e > 150``, i.e. from 0-based epoch 150 on, as here).
    The flag is a pure function of the epoch, so resuming gives the same
    schedule. Models with the flag: ``SkeletonMoCo`` and its subclasses.

    Args:
        start_epoch (int): First (0-based) epoch that mines, ``>= 0``.
    """

    priority = 'NORMAL'

    def __init__(self, start_epoch: int) -> None:
        if start_epoch < 0:
            raise ValueError(f'start_epoch must be >= 0, got {start_epoch}')
        self.start_epoch = start_epoch

    def before_train(self, runner) -> None:
        """Refuse a model without the ``mine_neighbours`` flag."""
        model = unwrapped_model(runner)
        if not hasattr(model, 'mine_neighbours'):
            raise ValueError('NeighbourMiningHook needs a model with a '
                             '`mine_neighbours` flag (SkeletonMoCo and its '
                             f'subclasses); {type(model).__name__} has none')

    def before_train_epoch(self, runner) -> None:
        """Turn mining on or off for this epoch."""
        unwrapped_model(runner).mine_neighbours = (
            runner.epoch >= self.start_epoch)

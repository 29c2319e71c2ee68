"""Linear warm-up of the snippet loss weight λ (Eq. 6)."""
from mmengine.hooks import Hook

from mmaction.registry import HOOKS
from ..runner_model import unwrapped_model


@HOOKS.register_module()
class DenseLossWarmupHook(Hook):
    """Ramp ``model.loss_dense_weight`` from ``start_ratio * λ`` to ``λ``.

    ``L = L_global + λ L_dense`` (Eq. 6). Early in pretraining the dense
    positives come from matching still-random snippet features (Eq. 4), so
    a warm-up lets the global objective shape the encoder first. λ is read
    from the model's configured ``loss_dense_weight`` when training starts;
    at iteration ``i`` the weight is
    ``λ * (start_ratio + (1 - start_ratio) * min(1, i / warmup_iters))``.
    The weight is a pure function of the iteration, so resuming gives the
    same schedule.

    Args:
        warmup_iters (int): Iterations to reach λ (> 0).
        start_ratio (float): Fraction of λ at iteration 0, in ``[0, 1]``.
    """

    priority = 'NORMAL'

    def __init__(self, warmup_iters: int, start_ratio: float = 0.0) -> None:
        if warmup_iters <= 0:
            raise ValueError(f'warmup_iters must be > 0, got {warmup_iters}')
        if not 0 <= start_ratio <= 1:
            raise ValueError(f'start_ratio must be in [0, 1], got '
                             f'{start_ratio}')
        self.warmup_iters = warmup_iters
        self.start_ratio = start_ratio
        self.target_weight = None

    def before_train(self, runner) -> None:
        """Remember λ; refuse a model without a snippet branch."""
        model = unwrapped_model(runner)
        if not getattr(model, 'with_dense', False):
            raise ValueError('DenseLossWarmupHook needs a model with a '
                             'dense_head (the snippet branch); '
                             f'{type(model).__name__} has none')
        self.target_weight = float(model.loss_dense_weight)

    def weight_at(self, iteration: int) -> float:
        """λ at a 0-based training iteration."""
        progress = min(1.0, iteration / self.warmup_iters)
        ratio = self.start_ratio + (1 - self.start_ratio) * progress
        return self.target_weight * ratio

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Set λ for this iteration."""
        unwrapped_model(runner).loss_dense_weight = self.weight_at(
            runner.iter)

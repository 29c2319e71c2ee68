"""Training hooks of the plug-in."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .dense_loss_warmup_hook import DenseLossWarmupHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .rng_state_hook import RNGStateHook

__all__ = ['DenseLossWarmupHook', 'RNGStateHook']
__all__ += ['AtomicCheckpointHook', 'NonFiniteLossError', 'NonFiniteLossHook']

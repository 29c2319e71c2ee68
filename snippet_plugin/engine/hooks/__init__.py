"""Training hooks of the plug-in."""
from .dense_loss_warmup_hook import DenseLossWarmupHook
from .neighbour_mining_hook import NeighbourMiningHook
from .rng_state_hook import RNGStateHook

__all__ = ['DenseLossWarmupHook', 'RNGStateHook']
__all__ += ['NeighbourMiningHook']

"""Training hooks of the plug-in."""
from .dense_loss_warmup_hook import DenseLossWarmupHook
from .neighbour_mining_hook import NeighbourMiningHook
from .rng_state_hook import RNGStateHook
from .timeline_visualization_hook import TimelineVisualizationHook

__all__ = [
    'DenseLossWarmupHook', 'NeighbourMiningHook', 'RNGStateHook',
    'TimelineVisualizationHook'
]

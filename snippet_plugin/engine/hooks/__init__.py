"""Training hooks of the plug-in."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .dense_loss_warmup_hook import DenseLossWarmupHook
from .neighbour_mining_hook import NeighbourMiningHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .rank_zero_logger_hook import RankZeroLoggerHook
from .rng_state_hook import RNGStateHook
from .smoothing_window_hook import SmoothingWindowHook
from .timeline_visualization_hook import TimelineVisualizationHook

__all__ = [
    'AtomicCheckpointHook', 'DenseLossWarmupHook', 'NeighbourMiningHook',
    'NonFiniteLossError', 'NonFiniteLossHook', 'RankZeroLoggerHook',
    'RNGStateHook', 'SmoothingWindowHook', 'TimelineVisualizationHook'
]

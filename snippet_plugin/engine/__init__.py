"""Hooks and loops of the plug-in (registered in MMAction2's registries)."""
from .hooks import (DenseLossWarmupHook, RNGStateHook,
                    TimelineVisualizationHook)
from .loops import KNNLocalizationLoop

__all__ = ['DenseLossWarmupHook', 'KNNLocalizationLoop', 'RNGStateHook',
           'TimelineVisualizationHook']

"""Runner loops (registered in ``LOOPS``)."""
from .knn_localization import KNNLocalizationLoop

__all__ = ['KNNLocalizationLoop']

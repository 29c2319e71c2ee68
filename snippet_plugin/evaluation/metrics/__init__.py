"""mmengine metrics, registered in ``mmaction.registry.METRICS``."""
from .temporal_localization_metric import (ALLOWED_PROTOCOLS,
                                           TemporalLocalizationMetric,
                                           format_ap_table)

__all__ = [
    'ALLOWED_PROTOCOLS', 'TemporalLocalizationMetric', 'format_ap_table'
]

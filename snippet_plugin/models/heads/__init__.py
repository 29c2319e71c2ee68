from .framewise_head import FramewiseLocalizationHead

__all__ = ['FramewiseLocalizationHead']

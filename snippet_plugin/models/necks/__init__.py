from .ushape_neck import LastLevelUpsample, UShapeNeck

__all__ = ['LastLevelUpsample', 'UShapeNeck']

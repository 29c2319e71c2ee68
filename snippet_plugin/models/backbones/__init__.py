from .multiscale_gcn import MultiScaleGCN

__all__ = ['MultiScaleGCN']

from .hypergcn import HyperGCN
from .multiscale_gcn import MultiScaleGCN
from .unik import UNIK

__all__ = ['HyperGCN', 'MultiScaleGCN', 'UNIK']

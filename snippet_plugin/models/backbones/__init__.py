# MMAction2 1.1 registers AAGCN's 'ConvBranch' weight initializer in
# mmaction.engine.model, a module its registry never imports by itself.
import mmaction.engine.model  # noqa: F401

from .agcn import AGCN
from .hypergcn import HyperGCN
from .multiscale_gcn import MultiScaleGCN
from .raw_pose import RawPoseEncoder
from .unik import UNIK

__all__ = ['AGCN', 'HyperGCN', 'MultiScaleGCN', 'RawPoseEncoder', 'UNIK']

"""2s-AGCN: MMAction2's ``AAGCN`` with its attention module off."""
from typing import Dict

from mmaction.models.backbones import AAGCN
from mmaction.registry import MODELS


@MODELS.register_module()
class AGCN(AAGCN):
    """2s-AGCN (Shi et al., CVPR 2019), the paper's shared backbone [37].

    MMAction2's ``AAGCN`` is MS-AAGCN (Shi et al., TIP 2020): with its
    default ``gcn_attention=True`` every graph unit follows the adaptive
    graph convolution by spatial, temporal and channel attention (STC).
    ``AGCN`` is that class with ``gcn_attention=False``, MMAction2's own way
    to degenerate AAGCN to AGCN (see its docstring): the same stages, shapes
    and parameter names, minus the attention convolutions. It takes no
    attention argument, so swapping ``type`` to ``STGCN``, ``UNIK`` or
    ``HyperGCN`` stays a one-line change; ``type='AAGCN'`` turns attention
    on.

    Input ``(N, M, T, V, C)``, output ``(N, M, C', T', V)`` as ``AAGCN``.

    Args:
        graph_cfg (dict): MMAction2 ``Graph`` config.
        **kwargs: ``AAGCN``'s other arguments (ST-GCN's: ``in_channels``,
            ``base_channels``, ``data_bn_type``, ``down_stages``, ...).
    """

    def __init__(self, graph_cfg: Dict, **kwargs) -> None:
        if 'gcn_attention' in kwargs:
            raise ValueError(
                "AGCN is 2s-AGCN, AAGCN without attention; for MMAction2's "
                "attention (MS-AAGCN) use type='AAGCN' instead of "
                'gcn_attention')
        super().__init__(graph_cfg, gcn_attention=False, **kwargs)

"""AimCLR with an ST-GCN encoder: the SkeletonCLR model
(``skeletonclr_stgcn.py``: same encoder, heads, queue, temperature and
momentum) plus AimCLR's energy-based attention drop (keep 0.7), D3M loss
(weight 1, as in AimCLR's ``InfoNCE + D3M``) and nearest-neighbour mining
(top-1; switched on by ``NeighbourMiningHook`` in the training config).

The drop acts on the last level of ``MultiScaleGCN`` ``(N, C, T/8)``,
features already averaged over joints (see ``AimCLR``'s docstring).
"""
_base_ = ['./skeletonclr_stgcn.py']

model = dict(
    type='AimCLR',
    attention_keep_ratio=0.7,
    loss_d3m_weight=1.0,
    neighbour_topk=1)

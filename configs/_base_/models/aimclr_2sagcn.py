"""AimCLR with a 2s-AGCN (``AGCN``, joint stream) encoder: the SkeletonCLR
model of ``skeletonclr_2sagcn.py`` plus AimCLR's keys, as in
``aimclr_stgcn.py``."""
_base_ = ['./skeletonclr_2sagcn.py']

model = dict(
    type='AimCLR',
    attention_keep_ratio=0.7,
    loss_d3m_weight=1.0,
    neighbour_topk=1)

"""HiCLR (Zhang et al., AAAI 2023) with an ST-GCN encoder.

The SkeletonCLR model of ``skeletonclr_stgcn.py`` (ST-GCN in the paper's T/8
layout, MoCo-v2 MLP head, queue 32768, temperature 0.07, momentum 0.999)
trained with HiCLR's loss: InfoNCE of the query view 0 against the key view
1, plus the asymmetric hierarchical matching of the similarity
distributions (view 2 <- stop-grad view 0, view 3 <- stop-grad view 2),
weights 0.5 and 0.5 as in the public code; with nearest-neighbour mining on
(``NeighbourMiningHook``, see ``configs/hiclr_stgcn_babel.py``) the top-1
queue entry of each of the three query views is an extra positive. View 3
has 10 % of its joints per frame replaced by a learnable mask token inside
the model. The data pipeline must give four views
(``ContrastiveViews(pipelines=[...])``, normal, normal, strong, strong); see
``configs/hiclr_stgcn_babel.py``.

The snippet variant adds ``dense_head`` and ``loss_dense_weight`` only.
"""
_base_ = ['./skeletonclr_stgcn.py']

model = dict(
    type='HiCLR',
    mask_ratio=0.1,
    in_channels=3,
    hierarchical_weights=[0.5, 0.5],
    divergence='kl',
    neighbour_topk=1)

"""Quick start, Stage 2: finetune without the U-neck (ablation of Sec. 3.2).

``finetune_skeletonclr_stgcn_mocapmix.py`` with ``neck=None``: the last
(T/8) level is upsampled to the frames by nearest neighbour and classified
linearly. The learning rate is 10x the U-neck's, as in the public code
(1e-3 vs 1e-4 at paper scale; here 1e-2 vs 1e-3).

    python tools/train.py configs/quickstart/finetune_skeletonclr_stgcn_noneck_mocapmix.py
"""
_base_ = ['./finetune_skeletonclr_stgcn_mocapmix.py']

model = dict(neck=None)
optim_wrapper = dict(optimizer=dict(lr=1e-2))

"""Quick start: AimCLR with a small ST-GCN, pretrained on MocapMix.

``skeletonclr_stgcn_mocapmix.py`` (its size, data and 40-epoch schedule)
turned into AimCLR: a third, extremely augmented view per window
(``_base_/datasets/aimclr_views.py``), the energy-based drop and the D3M
loss, and nearest-neighbour mining over the second half of training (from
epoch 20, as AimCLR mines from epoch 150 of 300).

    python tools/train.py configs/quickstart/aimclr_stgcn_mocapmix.py
"""
_base_ = [
    './skeletonclr_stgcn_mocapmix.py',
    '../_base_/datasets/aimclr_views.py',
]

model = dict(
    type='AimCLR',
    attention_keep_ratio=0.7,
    loss_d3m_weight=1.0,
    neighbour_topk=1)

train_dataloader = dict(
    dataset=dict(
        dataset=dict(pipeline=[
            dict(type='NormalizeSkeleton3D'),
            dict(type='RandomWindowCrop', clip_len={{_base_.clip_len}}),
            dict(type='FixPersonCount', num_person=1),
            {{_base_.aimclr_three_views}},
            {{_base_.aimclr_extreme_view}},
            dict(type='PackUntrimmedPoseInputs'),
        ])))

mining_start_epoch = 20
custom_hooks = _base_.custom_hooks + [
    dict(type='NeighbourMiningHook', start_epoch=mining_start_epoch),
]

"""Quick start: AimCLR with a small ST-GCN, pretrained on MocapMix.

The SkeletonCLR quick start (``skeletonclr_stgcn_mocapmix.py``: ST-GCN with
16 base channels, 128-frame windows, batch 16, 512 negatives, a 32-d
embedding, 40 epochs of SGD lr 0.05 with cosine decay) turned into AimCLR:
a third, extremely augmented view per window (``_base_/datasets/
aimclr_views.py``), the energy-based drop and D3M loss, and nearest-neighbour
mining for the second half of training (from epoch 20, as AimCLR mines from
epoch 150 of 300). KNN localization (k = 20) on the last level after
training.

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

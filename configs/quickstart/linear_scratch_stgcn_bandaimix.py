"""Quick start, Stage 2 floor on BandaiMix: linear evaluation of the
random-init quick-start ST-GCN, frozen (seeded by ``--seed``).

``linear_skeletonclr_stgcn_bandaimix.py`` without pretraining, as
``linear_scratch_stgcn_mocapmix.py`` is on MocapMix.

    python tools/train.py configs/quickstart/linear_scratch_stgcn_bandaimix.py --seed 0
"""
_base_ = ['./linear_skeletonclr_stgcn_bandaimix.py']

model = dict(pretrained=None)

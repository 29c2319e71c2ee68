"""Quick start, Stage 2 floor: linear evaluation of the random-init encoder.

``linear_skeletonclr_stgcn_mocapmix.py`` without pretraining: the
quick-start ST-GCN keeps its seeded random initialisation (``--seed``),
frozen; only the U-neck and the linear classifier train. The same as
``linear_skeletonclr_stgcn_mocapmix.py --cfg-options model.pretrained=None``.

    python tools/train.py configs/quickstart/linear_scratch_stgcn_mocapmix.py --seed 0
"""
_base_ = ['./linear_skeletonclr_stgcn_mocapmix.py']

model = dict(pretrained=None)

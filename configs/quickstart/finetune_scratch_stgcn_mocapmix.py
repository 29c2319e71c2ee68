"""Quick start, Stage 2: training from scratch (random initialisation).

The MocapMix twin of Tab. 4 "Random Init. / Full": the finetuning config
without a pretrained encoder, on full frame labels.

    python tools/train.py configs/quickstart/finetune_scratch_stgcn_mocapmix.py
"""
_base_ = ['./finetune_skeletonclr_stgcn_mocapmix.py']

model = dict(pretrained=None)

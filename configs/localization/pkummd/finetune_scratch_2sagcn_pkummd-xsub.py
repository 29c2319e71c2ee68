"""PKU-MMD cross-subject from scratch (reference for Tab. 5): ``finetune_snippet_rvtclr-babel_2sagcn_pkummd-xsub``
with a randomly initialised encoder.

    python tools/train.py configs/localization/pkummd/finetune_scratch_2sagcn_pkummd-xsub.py
    python tools/test.py configs/localization/pkummd/finetune_scratch_2sagcn_pkummd-xsub.py \\
        work_dirs/finetune_scratch_2sagcn_pkummd-xsub/best_tal_mAP@0.5_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr-babel_2sagcn_pkummd-xsub.py']

model = dict(pretrained=None)

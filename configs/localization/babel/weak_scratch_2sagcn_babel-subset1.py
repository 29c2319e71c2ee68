"""Weak supervision from scratch on BABEL Subset-1 (Tab. 4 "Random Init. /
Weak"): the weak config with a randomly initialised encoder.

    python tools/train.py configs/localization/babel/weak_scratch_2sagcn_babel-subset1.py
    python tools/test.py configs/localization/babel/weak_scratch_2sagcn_babel-subset1.py \\
        work_dirs/weak_scratch_2sagcn_babel-subset1/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./weak_snippet_rvtclr_2sagcn_babel-subset1.py']

model = dict(pretrained=None)

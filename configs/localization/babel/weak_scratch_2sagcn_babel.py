"""Weak supervision from scratch (Tab. 4 "Random Init. / Weak"):
``weak_snippet_rvtclr_2sagcn_babel.py`` with a randomly initialised encoder.
BABEL Subset-1 unless ``--cfg-options subset=subset2`` (or ``subset3``)
picks another; its work dir then ends in ``_subset2``.

    python tools/train.py configs/localization/babel/weak_scratch_2sagcn_babel.py
    python tools/test.py configs/localization/babel/weak_scratch_2sagcn_babel.py \\
        work_dirs/weak_scratch_2sagcn_babel/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./weak_snippet_rvtclr_2sagcn_babel.py']

model = dict(pretrained=None)

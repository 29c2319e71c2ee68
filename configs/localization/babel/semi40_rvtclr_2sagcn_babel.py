"""``semi40_snippet_rvtclr_2sagcn_babel.py`` with the RVTCLR baseline's
encoder. BABEL Subset-1 unless ``--cfg-options subset=subset2`` (or
``subset3``) picks another; its work dir then ends in ``_subset2``.

    python tools/train.py configs/localization/babel/semi40_rvtclr_2sagcn_babel.py
    python tools/test.py configs/localization/babel/semi40_rvtclr_2sagcn_babel.py \\
        work_dirs/semi40_rvtclr_2sagcn_babel/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./semi40_snippet_rvtclr_2sagcn_babel.py']

model = dict(pretrained='work_dirs/rvtclr_2sagcn_babel/epoch_300.pth')

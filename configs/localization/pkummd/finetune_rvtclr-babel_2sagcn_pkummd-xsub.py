"""Transfer to PKU-MMD cross-subject (Tab. 5): ``finetune_snippet_rvtclr-babel_2sagcn_pkummd-xsub``
with the encoder of the RVTCLR baseline pretrained on BABEL (``configs/rvtclr_2sagcn_babel.py``); nothing else changes.

    python tools/train.py configs/localization/pkummd/finetune_rvtclr-babel_2sagcn_pkummd-xsub.py
    python tools/test.py configs/localization/pkummd/finetune_rvtclr-babel_2sagcn_pkummd-xsub.py \\
        work_dirs/finetune_rvtclr-babel_2sagcn_pkummd-xsub/best_tal_mAP@0.5_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr-babel_2sagcn_pkummd-xsub.py']

model = dict(pretrained='work_dirs/rvtclr_2sagcn_babel/epoch_300.pth')

"""``finetune_snippet_rvtclr_2sagcn_babel-subset1`` with the RVTCLR baseline's encoder
(pretrained by ``configs/rvtclr_2sagcn_babel.py``) instead of ours;
nothing else changes.

    python tools/train.py configs/localization/babel/finetune_rvtclr_2sagcn_babel-subset1.py
    python tools/test.py configs/localization/babel/finetune_rvtclr_2sagcn_babel-subset1.py \\
        work_dirs/finetune_rvtclr_2sagcn_babel-subset1/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr_2sagcn_babel-subset1.py']

model = dict(pretrained='work_dirs/rvtclr_2sagcn_babel/epoch_300.pth')

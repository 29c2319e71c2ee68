"""Transfer to PKU-MMD cross-subject (Tab. 5): ``finetune_snippet_rvtclr-babel_2sagcn_pkummd-xsub``
with the encoder of RVTCLR + snippet contrast pretrained on NTU-60 xsub
(``configs/pretrain_ntu60/snippet_rvtclr_2sagcn_ntu60_xsub.py``); nothing else changes.

    python tools/train.py configs/localization/pkummd/finetune_snippet_rvtclr-ntu60_2sagcn_pkummd-xsub.py
    python tools/test.py configs/localization/pkummd/finetune_snippet_rvtclr-ntu60_2sagcn_pkummd-xsub.py \\
        work_dirs/finetune_snippet_rvtclr-ntu60_2sagcn_pkummd-xsub/best_tal_mAP@0.5_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr-babel_2sagcn_pkummd-xsub.py']

model = dict(pretrained='work_dirs/snippet_rvtclr_2sagcn_ntu60_xsub/epoch_300.pth')

"""Training from scratch on BABEL Subset-1 (Tab. 4 "Random Init. / Full"): the
finetuning config with a randomly initialised encoder, full frame labels.

    python tools/train.py configs/localization/babel/finetune_scratch_2sagcn_babel-subset1.py
    python tools/test.py configs/localization/babel/finetune_scratch_2sagcn_babel-subset1.py \\
        work_dirs/finetune_scratch_2sagcn_babel-subset1/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr_2sagcn_babel-subset1.py']

model = dict(pretrained=None)

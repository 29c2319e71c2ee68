"""Weakly supervised finetuning on BABEL Subset-1 (Tab. 4 "Weak", "+ Ours"):
training sequences read with ``label_mode='video'`` (frame labels all -1,
only the classes present survive), multiple-instance loss
(``supervision='weak'``: top-k mean of each class's frame logits, binary
cross-entropy against the video labels); everything trains. Evaluation is
frame-accurate as in every protocol.

    python tools/train.py configs/localization/babel/weak_snippet_rvtclr_2sagcn_babel-subset1.py
    python tools/test.py configs/localization/babel/weak_snippet_rvtclr_2sagcn_babel-subset1.py \\
        work_dirs/weak_snippet_rvtclr_2sagcn_babel-subset1/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr_2sagcn_babel-subset1.py']

model = dict(supervision='weak')
train_dataloader = dict(dataset=dict(label_mode='video'))

"""Weak supervision (Tab. 4 "Weak", "+ Ours"): training reads video labels only
(``label_mode='video'``) and the loss is the multiple-instance one
(``supervision='weak'``), and predictions are the sigmoids of the action
logits that loss trains (``FramewiseLocalizationHead.frame_probabilities``).
Evaluation is frame-accurate as always: also the held-out 10 % of
``train`` that selects the checkpoint is scored on its segments (the only
frame labels a weak run ever reads). BABEL
Subset-1 unless ``--cfg-options subset=subset2`` (or ``subset3``) picks
another; its work dir then ends in ``_subset2``.

    python tools/train.py configs/localization/babel/weak_snippet_rvtclr_2sagcn_babel.py
    python tools/test.py configs/localization/babel/weak_snippet_rvtclr_2sagcn_babel.py \\
        work_dirs/weak_snippet_rvtclr_2sagcn_babel/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr_2sagcn_babel.py']

model = dict(supervision='weak')
train_dataloader = dict(dataset=dict(label_mode='video'))

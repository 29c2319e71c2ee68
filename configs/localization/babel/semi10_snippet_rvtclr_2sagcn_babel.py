"""Semi-supervised finetuning with 10 % of the labels (Tab. 4 "10%", "+ Ours"):
a class-stratified, seeded 10 % of the training sequences keep their frame
labels (``label_fraction``, ``label_seed``), the others are dropped. The
labelled share is drawn from the fit part of ``train``; the held-out 10 %
that selects the checkpoint keeps its frame labels, as every validation
set does (``_base_/datasets/babel_localization.py``). The
paper averages 3 runs: add ``--cfg-options
train_dataloader.dataset.label_seed=K randomness.seed=K``. BABEL Subset-1
unless ``--cfg-options subset=subset2`` (or ``subset3``) picks another; its
work dir then ends in ``_subset2``.

    python tools/train.py configs/localization/babel/semi10_snippet_rvtclr_2sagcn_babel.py
    python tools/test.py configs/localization/babel/semi10_snippet_rvtclr_2sagcn_babel.py \\
        work_dirs/semi10_snippet_rvtclr_2sagcn_babel/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr_2sagcn_babel.py']

train_dataloader = dict(dataset=dict(label_fraction=0.1, label_seed=0))

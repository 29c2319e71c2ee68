"""Semi-supervised finetuning on BABEL Subset-1 with 30 % of the labels
(Tab. 4 "30%", "+ Ours"): a class-stratified, seeded 30 % of the training
sequences keep their frame labels (``label_fraction=0.3``,
``label_seed=0``; for one seed 10 % ⊂ 20 % ⊂ 30 % ⊂ 40 %), the others are
dropped; everything trains. The paper averages 3 runs: repeat with
``--cfg-options train_dataloader.dataset.label_seed=K randomness.seed=K``.

    python tools/train.py configs/localization/babel/semi30_snippet_rvtclr_2sagcn_babel-subset1.py
    python tools/test.py configs/localization/babel/semi30_snippet_rvtclr_2sagcn_babel-subset1.py \\
        work_dirs/semi30_snippet_rvtclr_2sagcn_babel-subset1/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr_2sagcn_babel-subset1.py']

train_dataloader = dict(dataset=dict(label_fraction=0.3, label_seed=0))

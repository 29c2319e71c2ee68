"""``semi30_rvtclr_2sagcn_babel-subset1`` on BABEL
Subset-2 (sit, run, stand up, kick):
the same protocol, another annotation file.

    python tools/train.py configs/localization/babel/semi30_rvtclr_2sagcn_babel-subset2.py
    python tools/test.py configs/localization/babel/semi30_rvtclr_2sagcn_babel-subset2.py \\
        work_dirs/semi30_rvtclr_2sagcn_babel-subset2/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./semi30_rvtclr_2sagcn_babel-subset1.py']

subset = 2
ann_file = f'data/babel/babel_subset{subset}.pkl'
train_dataloader = dict(dataset=dict(ann_file=ann_file))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))

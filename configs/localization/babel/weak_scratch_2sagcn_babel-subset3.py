"""``weak_scratch_2sagcn_babel-subset1`` on BABEL
Subset-3 (jog, wave, dance, gesture):
the same protocol, another annotation file.

    python tools/train.py configs/localization/babel/weak_scratch_2sagcn_babel-subset3.py
    python tools/test.py configs/localization/babel/weak_scratch_2sagcn_babel-subset3.py \\
        work_dirs/weak_scratch_2sagcn_babel-subset3/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./weak_scratch_2sagcn_babel-subset1.py']

subset = 3
ann_file = f'data/babel/babel_subset{subset}.pkl'
train_dataloader = dict(dataset=dict(ann_file=ann_file))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))

"""Finetuning on BABEL Subset-1: the 2s-AGCN encoder pretrained by RVTCLR +
snippet contrast (ours) on BABEL train, U-neck and linear frame classifier,
everything trained on full frame labels (Adam lr 1e-4, wd 1e-4, 40 epochs,
batch 8, 300-frame windows; the public code's). The hub of the BABEL
Stage-2 configs: the other protocols change one thing each
(``docs/protocols.md``). mAP@0.1-0.5 and their average, validation every 5
epochs, best checkpoint by ``tal/mAP_avg``. Pretrained checkpoint: the last
epoch of ``configs/snippet_rvtclr_2sagcn_babel.py``; another one with
``--cfg-options model.pretrained=PATH``.

    python tools/train.py configs/localization/babel/finetune_snippet_rvtclr_2sagcn_babel-subset1.py
    python tools/test.py configs/localization/babel/finetune_snippet_rvtclr_2sagcn_babel-subset1.py \\
        work_dirs/finetune_snippet_rvtclr_2sagcn_babel-subset1/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = [
    '../../_base_/models/localizer_2sagcn.py',
    '../../_base_/datasets/babel_localization.py',
    '../../_base_/schedules/adam_finetune_40e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    pretrained='work_dirs/snippet_rvtclr_2sagcn_babel/epoch_300.pth')
default_hooks = dict(
    checkpoint=dict(interval=5, save_best='tal/mAP_avg', rule='greater'),
    logger=dict(interval=50))

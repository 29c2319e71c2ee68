"""Finetuning (the hub of the BABEL Stage-2 configs, each of which changes one
thing): the 2s-AGCN encoder pretrained by
``configs/snippet_rvtclr_2sagcn_babel.py`` (RVTCLR + snippets, ours), the
U-neck and the linear frame classifier all train on full frame labels;
validation every 5 epochs on a held-out 10 % of the ``train`` sequences
(never on the test split ``val``, which only ``tools/test.py`` reads),
best checkpoint by its ``tal/mAP_avg``; the other 90 % train
(``_base_/datasets/babel_localization.py``). Another
encoder: ``--cfg-options model.pretrained=PATH``. BABEL Subset-1 unless
``--cfg-options subset=subset2`` (or ``subset3``) picks another; its work
dir then ends in ``_subset2``.

    python tools/train.py configs/localization/babel/finetune_snippet_rvtclr_2sagcn_babel.py
    python tools/test.py configs/localization/babel/finetune_snippet_rvtclr_2sagcn_babel.py \\
        work_dirs/finetune_snippet_rvtclr_2sagcn_babel/best_tal_mAP_avg_epoch_*.pth
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

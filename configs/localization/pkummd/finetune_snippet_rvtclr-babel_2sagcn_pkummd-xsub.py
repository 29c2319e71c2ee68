"""Transfer to PKU-MMD cross-subject (Tab. 5, 2s-AGCN, pretrained on BABEL,
"+ Ours"): the encoder pretrained by RVTCLR + snippet contrast on BABEL
train, U-neck and linear classifier over 51 actions + background,
everything finetuned on the PKU-MMD xsub train split with full frame labels
(Adam lr 1e-4, wd 1e-4, 40 epochs, batch 8, 300-frame windows, two bodies).
Scored with the official PKU-MMD evaluator (``protocol='pkummd'``); the
paper's number is ``tal/mAP@0.5``, also the best-checkpoint key, read on
a held-out 10 % of the train videos (never on the test split ``val``,
which only ``tools/test.py`` reads; the other 90 % train:
``_base_/datasets/pkummd_xsub_localization.py``). Prepare
the data with ``tools/data/prepare_pkummd.py`` (``docs/datasets.md``).

    python tools/train.py configs/localization/pkummd/finetune_snippet_rvtclr-babel_2sagcn_pkummd-xsub.py
    python tools/test.py configs/localization/pkummd/finetune_snippet_rvtclr-babel_2sagcn_pkummd-xsub.py \\
        work_dirs/finetune_snippet_rvtclr-babel_2sagcn_pkummd-xsub/best_tal_mAP@0.5_epoch_*.pth
"""
_base_ = [
    '../../_base_/models/localizer_2sagcn.py',
    '../../_base_/datasets/pkummd_xsub_localization.py',
    '../../_base_/schedules/adam_finetune_40e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(num_classes=51),
    pretrained='work_dirs/snippet_rvtclr_2sagcn_babel/epoch_300.pth')
default_hooks = dict(
    checkpoint=dict(interval=5, save_best='tal/mAP@0.5', rule='greater'),
    logger=dict(interval=50))

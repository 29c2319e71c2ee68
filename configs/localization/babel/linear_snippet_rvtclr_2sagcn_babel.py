"""Linear evaluation (Tab. 3, RVTCLR "+ Ours"): the encoder of
``configs/snippet_rvtclr_2sagcn_babel.py`` is frozen (no gradient, BN
statistics fixed); the U-neck and the linear frame classifier train. Strict
linear probe without the U-neck: ``--cfg-options model.neck=None
optim_wrapper.optimizer.lr=1e-3``. BABEL Subset-1 unless ``--cfg-options
subset=subset2`` (or ``subset3``) picks another; its work dir then ends in
``_subset2``.

    python tools/train.py configs/localization/babel/linear_snippet_rvtclr_2sagcn_babel.py
    python tools/test.py configs/localization/babel/linear_snippet_rvtclr_2sagcn_babel.py \\
        work_dirs/linear_snippet_rvtclr_2sagcn_babel/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr_2sagcn_babel.py']

model = dict(freeze_backbone=True)

"""Linear evaluation on BABEL Subset-1 (Tab. 3, "+Ours" row of RVTCLR): the
encoder pretrained by RVTCLR + snippet contrast is frozen (no gradient, BN
statistics fixed); the U-neck and the linear frame classifier train on full
frame labels. For the strict linear probe without the U-neck add
``--cfg-options model.neck=None optim_wrapper.optimizer.lr=1e-3``.

    python tools/train.py configs/localization/babel/linear_snippet_rvtclr_2sagcn_babel-subset1.py
    python tools/test.py configs/localization/babel/linear_snippet_rvtclr_2sagcn_babel-subset1.py \\
        work_dirs/linear_snippet_rvtclr_2sagcn_babel-subset1/best_tal_mAP_avg_epoch_*.pth
"""
_base_ = ['./finetune_snippet_rvtclr_2sagcn_babel-subset1.py']

model = dict(freeze_backbone=True)

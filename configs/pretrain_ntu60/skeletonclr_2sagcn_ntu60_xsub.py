"""SkeletonCLR + 2s-AGCN pretrained on NTU-60 cross-subject (the NTU-60 rows
of Tab. 5 use this data; the paper's method there is RVTCLR, see
``rvtclr_2sagcn_ntu60_xsub.py``). Unlabelled NTU-60 xsub train clips, two
bodies, AimCLR's normal augmentation, batch 128, SGD lr 0.1, 300 epochs;
KNN localization on PKU-MMD xsub every 10 epochs. Finetune on PKU-MMD with
``configs/localization/pkummd/finetune_*-ntu60_2sagcn_pkummd-xsub.py``
(pointing ``model.pretrained`` at this run's checkpoint).

    python tools/train.py configs/pretrain_ntu60/skeletonclr_2sagcn_ntu60_xsub.py
"""
_base_ = [
    '../_base_/models/skeletonclr_2sagcn.py',
    '../_base_/datasets/ntu60_xsub_pretrain.py',
    '../_base_/schedules/sgd_pretrain_300e.py',
    '../_base_/default_runtime.py',
]

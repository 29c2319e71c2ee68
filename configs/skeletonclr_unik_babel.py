"""SkeletonCLR + UNIK pretrained on BABEL, evaluated by KNN localization.

The UNIK row of the backbone study (Tab. 5) and the encoder of the UNIK
transfer numbers (BABEL -> PKU-MMD). The ST-GCN config with the backbone
``type`` swapped, nothing else: ``UNIK`` takes STGCN's arguments, keeps the
T/8 layout (stride 2 at stages 2, 5, 8; 64/128/256 channels) and uses
``graph_cfg`` only for the joint count (its dependencies are learnt).

    python tools/train.py configs/skeletonclr_unik_babel.py
    python tools/test.py configs/skeletonclr_unik_babel.py CHECKPOINT
"""
_base_ = ['./skeletonclr_stgcn_babel.py']

model = dict(backbone=dict(backbone=dict(type='UNIK')))

"""HiCLR + 2s-AGCN (joint stream) pretrained on BABEL, KNN localization.

``hiclr_stgcn_babel.py`` with the paper's shared backbone: MMAction2's
``AAGCN`` with ``data_bn_type='VC'`` in the T/8 layout (as
``configs/_base_/models/skeletonclr_2sagcn.py``). Serves the HiCLR rows of
Tab. 2 (KNN, BABEL Subsets 1-3).

    python tools/train.py configs/hiclr_2sagcn_babel.py
    python tools/test.py configs/hiclr_2sagcn_babel.py CHECKPOINT
"""
_base_ = ['./hiclr_stgcn_babel.py']

model = dict(
    backbone=dict(
        backbone=dict(
            _delete_=True,
            type='AAGCN',
            graph_cfg=dict(layout='nturgb+d', mode='spatial'),
            in_channels=3,
            base_channels=64,
            data_bn_type='VC',
            down_stages=[2, 5, 8],
            inflate_stages=[5, 8])))

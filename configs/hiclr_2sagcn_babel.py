"""HiCLR with 2s-AGCN, pretrained on BABEL without labels, validated by KNN
localization.

The HiCLR rows of Tab. 2 (KNN) and Tab. 3 (linear): ``hiclr_stgcn_babel.py``
with the paper's 2s-AGCN (``AGCN``, ``data_bn_type='VC'``, T/8 layout).

    python tools/train.py configs/hiclr_2sagcn_babel.py
    python tools/test.py configs/hiclr_2sagcn_babel.py \\
        work_dirs/hiclr_2sagcn_babel/epoch_300.pth
"""
_base_ = ['./hiclr_stgcn_babel.py']

model = dict(
    backbone=dict(
        backbone=dict(
            _delete_=True,
            type='AGCN',  # 2s-AGCN; 'AAGCN' adds MS-AAGCN's attention
            graph_cfg=dict(layout='nturgb+d', mode='spatial'),
            in_channels=3,
            base_channels=64,
            data_bn_type='VC',
            down_stages=[2, 5, 8],
            inflate_stages=[5, 8])))

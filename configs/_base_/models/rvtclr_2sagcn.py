"""RVTCLR with a 2s-AGCN (``AGCN``) encoder, the paper's shared backbone.

``rvtclr_stgcn.py`` with the backbone of ``skeletonclr_2sagcn.py``:
``AGCN``, MMAction2's ``AAGCN`` without attention (joint stream), stride 2 at stages 2, 5 and 8,
channels 64/128/256, ``data_bn_type='VC'`` (works for one- and two-person
data).
"""
_base_ = ['./rvtclr_stgcn.py']

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

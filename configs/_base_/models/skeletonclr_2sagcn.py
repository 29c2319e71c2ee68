"""SkeletonCLR (MoCo v2 on skeletons) with a 2s-AGCN (``AGCN``) encoder.

The paper's shared backbone (joint stream): ``AGCN`` (MMAction2's ``AAGCN``
with its attention off, as 2s-AGCN [37] has none; ``type='AAGCN'`` is
MS-AAGCN with attention) wrapped by ``MultiScaleGCN`` in the paper's T/8
layout: temporal stride 2 at stages 2,
5 and 8, channels 64/128/256; the localization levels are stages 1, 7 and
10 (T, T/4, T/8). Global head: MoCo-v2 MLP (256 -> 256 -> 128). Queue 32768,
temperature 0.07, key encoder momentum 0.999. ``data_bn_type='VC'``
normalises per joint and coordinate whatever the number of persons, so the
encoder moves between one-person (BABEL) and two-person (PKU-MMD, NTU) data.
"""
_base_ = ['./skeletonclr_stgcn.py']

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

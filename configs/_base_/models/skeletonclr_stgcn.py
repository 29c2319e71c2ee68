"""SkeletonCLR (MoCo v2 on skeletons) with an ST-GCN encoder.

The encoder is MMAction2's ``STGCN`` wrapped by ``MultiScaleGCN`` in the
paper's T/8 layout: temporal stride 2 at stages 2, 5 and 8, channels
64/128/256 (inflated at stages 5 and 8). The global head is the MoCo-v2 MLP
of the baseline repositories (256 -> 256 -> 128). Queue 32768, temperature
0.07 (the configs of the public code; the paper's text says 0.007), key
encoder momentum 0.999. ``data_bn_type='VC'`` (STGCN's default, spelled
out) lets the backbone be swapped by ``type`` alone: AAGCN would otherwise
default to ``'MVC'``, which needs exactly ``num_person`` persons.

The snippet variant adds ``dense_head`` and ``loss_dense_weight`` only (see
``configs/snippet_skeletonclr_*.py``).
"""
model = dict(
    type='SkeletonMoCo',
    backbone=dict(
        type='MultiScaleGCN',
        backbone=dict(
            type='STGCN',
            graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
            in_channels=3,
            base_channels=64,
            data_bn_type='VC',
            down_stages=[2, 5, 8],
            inflate_stages=[5, 8])),
    global_head=dict(
        type='GlobalProjectionHead',
        in_channels=256,
        hidden_channels=256,
        out_channels=128),
    queue_size=32768,
    feat_dim=128,
    temperature=0.07,
    momentum=0.999)

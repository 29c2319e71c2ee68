"""Stage-2 localizer: 2s-AGCN encoder + U-shaped neck + frame-wise classifier.

The paper's Stage 2 (Sec. 3.2): the pretrained encoder (``AGCN``, MMAction2's
``AAGCN`` without attention; ``type='AAGCN'`` adds it), T/8 layout with
temporal stride 2 at stages 2, 5 and 8, as in ``skeletonclr_2sagcn.py``, so the pretrained weights fit key for key) feeds
its levels after stages 1, 7 and 10 (``out_indices=(0, 6, 9)``: T, T/4,
T/8 frames, 64/128/256 channels) to the UNet++-style ``UShapeNeck``
(hidden width 512, nearest upsampling), whose 512-channel frame features a
linear classifier (``FramewiseLocalizationHead``, a 1x1 Conv1d) turns into
``K + 1`` logits per frame (background last).

Protocols (see ``docs/protocols.md``) change only:

* ``pretrained``: the pretraining checkpoint whose ``encoder_q.backbone``
  becomes the backbone (None = random initialisation, "scratch");
* ``freeze_backbone``: True for linear evaluation;
* ``supervision``: ``'frame'`` or ``'weak'`` (video labels only);
* ``neck``: None for the ``noneck`` ablation (the last level upsampled).
"""
model = dict(
    type='SkeletonLocalizer',
    backbone=dict(
        type='MultiScaleGCN',
        out_indices=(0, 6, 9),
        backbone=dict(
            type='AGCN',  # 2s-AGCN; 'AAGCN' adds MS-AAGCN's attention
            graph_cfg=dict(layout='nturgb+d', mode='spatial'),
            in_channels=3,
            base_channels=64,
            data_bn_type='VC',
            down_stages=[2, 5, 8],
            inflate_stages=[5, 8])),
    neck=dict(
        type='UShapeNeck',
        hidden_channels=512,
        out_channels=512,
        upsample='nearest'),
    head=dict(type='FramewiseLocalizationHead', num_classes=4),
    supervision='frame',
    freeze_backbone=False,
    pretrained=None)

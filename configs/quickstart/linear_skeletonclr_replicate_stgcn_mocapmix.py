"""Quick start, Stage 2: ``linear_skeletonclr_stgcn_mocapmix`` for an encoder
pretrained with replicate temporal padding
(``skeletonclr_replicate_stgcn_mocapmix``, issue 21).

The backbone pads its temporal convolutions by replication, as the encoder
was trained; loading such an encoder into a zero-padded backbone is refused
(the padding is not a weight, so the features would silently differ).
``linear_snippet_skeletonclr_replicate_stgcn_mocapmix.py`` is the same
protocol for the snippet fix's encoder.

    python tools/train.py configs/quickstart/linear_skeletonclr_replicate_stgcn_mocapmix.py
"""
_base_ = ['./linear_skeletonclr_stgcn_mocapmix.py']

model = dict(
    backbone=dict(temporal_padding='replicate'),
    pretrained='work_dirs/skeletonclr_replicate_stgcn_mocapmix/epoch_40.pth')

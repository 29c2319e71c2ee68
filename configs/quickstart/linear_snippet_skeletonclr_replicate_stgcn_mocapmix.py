"""Quick start, Stage 2: ``linear_skeletonclr_replicate_stgcn_mocapmix`` with
the encoder of the position-shortcut fix
(``snippet_skeletonclr_replicate_stgcn_mocapmix``: snippets matched by shared
frames, replicate temporal padding); nothing else changes.

    python tools/train.py configs/quickstart/linear_snippet_skeletonclr_replicate_stgcn_mocapmix.py
"""
_base_ = ['./linear_skeletonclr_replicate_stgcn_mocapmix.py']

model = dict(
    pretrained='work_dirs/snippet_skeletonclr_replicate_stgcn_mocapmix/'
    'epoch_40.pth')

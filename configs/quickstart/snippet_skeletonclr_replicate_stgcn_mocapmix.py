"""Quick start: the candidate fix of the snippet branch's position shortcut
(issue 21), on MocapMix.

``snippet_skeletonclr_stgcn_mocapmix.py`` (same recipe, warm-up and
negatives) with two changes that take position out of the snippet loss:
each query snippet's positive is the key snippet sharing the most original
frames with it (``SnippetMatcher(match='overlap')``, from the views'
``frame_inds``) instead of the most similar one, and the encoder's temporal
convolutions pad by replication (``temporal_padding='replicate'``). Its
baseline, ``skeletonclr_replicate_stgcn_mocapmix.py``, has the same
padding, so the snippet branch is the only difference; the paper configs
keep similarity matching and zero padding. Compare with
``tools/analysis/position_probe.py``.

    python tools/train.py configs/quickstart/snippet_skeletonclr_replicate_stgcn_mocapmix.py
"""
_base_ = ['./snippet_skeletonclr_stgcn_mocapmix.py']

model = dict(
    backbone=dict(temporal_padding='replicate'),
    matcher=dict(type='SnippetMatcher', match='overlap'))

"""Quick start: AimCLR + snippets with the fix of the position shortcut
(issue 21), on MocapMix.

``snippet_aimclr_stgcn_mocapmix.py`` with the two changes of
``snippet_skeletonclr_replicate_stgcn_mocapmix.py``: snippets matched by
shared original frames (``SnippetMatcher(match='overlap')``) and replicate
temporal padding. Its baseline is ``aimclr_replicate_stgcn_mocapmix.py``.

    python tools/train.py configs/quickstart/snippet_aimclr_replicate_stgcn_mocapmix.py
"""
_base_ = ['./snippet_aimclr_stgcn_mocapmix.py']

model = dict(
    backbone=dict(temporal_padding='replicate'),
    matcher=dict(type='SnippetMatcher', match='overlap'))

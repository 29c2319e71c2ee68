"""Views whose ``frame_inds`` say which view they are, and a matcher that
records the snippet frames it receives, for the tests that check that each
pretraining method hands ``SnippetMatcher`` the frames of its query and key
views. Not a test module."""
import torch

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from snippet_plugin.models import SnippetMatcher

#: View ``v`` of every sample shows original frames ``VIEW_OFFSET * v + t``.
VIEW_OFFSET = 1000


@MODELS.register_module(name='FrameRecordingMatcherForTests', force=True)
class FrameRecordingMatcher(SnippetMatcher):
    """:class:`SnippetMatcher` that keeps the snippet frames it receives
    and the matches it returns, call by call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.frames, self.matches = [], []

    def match(self, query_feats, key_feats, key_valid=None,
              query_frames=None, key_frames=None):
        self.frames.append((query_frames, key_frames))
        self.matches.append(super().match(
            query_feats, key_feats, key_valid=key_valid,
            query_frames=query_frames, key_frames=key_frames))
        return self.matches[-1]


def samples_with_view_frames(num_samples, num_views, num_frames):
    """Data samples whose ``frame_inds`` ``(V_n, T)`` give view ``v`` the
    original frames ``VIEW_OFFSET * v + t``, all real."""
    samples = []
    for _ in range(num_samples):
        sample = ActionDataSample()
        sample.set_field(torch.ones(num_views, num_frames, dtype=torch.bool),
                         'frame_mask')
        sample.set_field(
            torch.arange(num_frames) +
            VIEW_OFFSET * torch.arange(num_views).unsqueeze(1), 'frame_inds')
        samples.append(sample)
    return samples


def assert_matcher_got_views(model, query_view, key_view, num_samples,
                             num_frames):
    """The last match of ``model`` (a dense model built with
    ``matcher=dict(type='FrameRecordingMatcherForTests')``, run on
    :func:`samples_with_view_frames`) received the snippet frames of views
    ``query_view`` and ``key_view``."""
    head = model.encoder_q['dense_head']
    stride = model.encoder_q['backbone'].temporal_strides[-1]
    query_frames, key_frames = model.matcher.frames[-1]
    for frames, view in ((query_frames, query_view), (key_frames, key_view)):
        inds = (torch.arange(num_frames) + VIEW_OFFSET * view).expand(
            num_samples, -1)
        assert torch.equal(frames, head.snippet_frames(inds, stride)), view

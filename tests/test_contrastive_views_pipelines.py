"""ContrastiveViews with one sub-pipeline per view (HiCLR's growing
augmentations): view i runs exactly pipeline i."""
import numpy as np
import pytest

from snippet_plugin.datasets.transforms import ContrastiveViews


def sample(frames=12):
    """keypoint[0, t, v, :] = (t, v, 1); frame labels 0..T-1."""
    keypoint = np.zeros((1, frames, 25, 3), np.float32)
    keypoint[..., 0] = np.arange(frames)[None, :, None]
    keypoint[..., 1] = np.arange(25)[None, None, :]
    keypoint[..., 2] = 1.0
    return dict(keypoint=keypoint, total_frames=frames,
                frame_labels=np.arange(frames, dtype=np.int64))


class Offset:
    """Deterministic transform: adds ``value`` to every coordinate and
    records its name."""

    def __init__(self, value):
        self.value = value

    def __call__(self, results):
        results['keypoint'] = results['keypoint'] + self.value
        results['applied'] = results.get('applied', []) + [self.value]
        return results


def test_view_i_gets_the_transforms_of_pipeline_i_in_order():
    normal = [Offset(1.0)]
    strong = normal + [Offset(10.0)]
    strongest = strong + [Offset(100.0)]
    results = sample()
    original = results['keypoint'].copy()
    out = ContrastiveViews(pipelines=[normal, normal, strong, strongest])(
        results)
    assert out['num_views'] == 4
    assert out['keypoint'].shape == (4, 1, 12, 25, 3)
    for view, offset in enumerate([1.0, 1.0, 11.0, 111.0]):
        np.testing.assert_array_equal(out['keypoint'][view],
                                      original + offset)
    assert out['applied'] == [1.0], 'non-frame keys come from view 0'
    assert out['frame_labels'].shape == (4, 12)
    assert out['frame_inds'].tolist() == [list(range(12))] * 4
    np.testing.assert_array_equal(results['keypoint'], original)


def test_registered_transforms_per_view_match_hand_computed_results():
    frames = 12  # padding 12 // 3 = 4 frames each side
    pipelines = [
        [],
        [dict(type='TemporalPadCrop', padding_ratio=3)],
        [dict(type='RandomShear', amplitude=0.5)],
    ]
    results = sample(frames)
    original = results['keypoint'].astype(np.float64)

    np.random.seed(7)
    offset = np.random.randint(2 * 4 + 1)  # view 1 draws first
    shear = np.random.uniform(-0.5, 0.5, size=(3, 3))  # then view 2
    np.fill_diagonal(shear, 1.0)
    np.random.seed(7)
    out = ContrastiveViews(pipelines=pipelines)(results)

    padded = [4, 3, 2, 1] + list(range(frames)) + [11, 10, 9, 8]
    window = padded[offset:offset + frames]
    assert out['frame_inds'][0].tolist() == list(range(frames))
    assert out['frame_inds'][1].tolist() == window
    assert out['frame_inds'][2].tolist() == list(range(frames))
    assert out['frame_labels'][1].tolist() == window
    np.testing.assert_array_equal(out['keypoint'][0], original)
    np.testing.assert_array_equal(out['keypoint'][1], original[:, window])
    np.testing.assert_allclose(out['keypoint'][2],
                               np.einsum('ij,mtvj->mtvi', shear, original),
                               rtol=1e-5, atol=1e-5)


def test_single_pipeline_with_num_views_still_works():
    out = ContrastiveViews([Offset(2.0)], num_views=3)(sample())
    assert out['keypoint'].shape[0] == out['num_views'] == 3
    np.testing.assert_array_equal(out['keypoint'][2],
                                  sample()['keypoint'] + 2.0)
    assert ContrastiveViews(pipeline=[Offset(2.0)]).num_views == 2
    assert ContrastiveViews(pipelines=[[], []], num_views=2).num_views == 2


@pytest.mark.parametrize('kwargs, match', [
    (dict(pipeline=[], pipelines=[[], []]), 'exactly one'),
    (dict(), 'exactly one'),
    (dict(pipelines=[[], []], num_views=3), 'num_views=3 but 2'),
    (dict(pipelines=[]), 'at least one view'),
    (dict(pipeline=[], num_views=0), 'at least one view'),
])
def test_ambiguous_or_empty_view_specifications_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ContrastiveViews(**kwargs)


def test_a_view_pipeline_must_be_a_list_of_transforms():
    with pytest.raises(TypeError, match='list of transforms'):
        ContrastiveViews(pipelines=[dict(type='RandomShear')])

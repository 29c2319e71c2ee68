"""FixPersonCount pads and truncates persons, never frames."""
import numpy as np

from snippet_plugin.datasets.transforms import FixPersonCount
from indexed_frames import indexed_results, label_of


def test_fix_person_count_pads_and_truncates_persons_only():
    one = FixPersonCount(2)(indexed_results(6, persons=1))
    assert one['keypoint'].shape == (2, 6, 25, 3)
    assert np.all(one['keypoint'][1] == 0)
    assert one['frame_labels'].tolist() == label_of(np.arange(6)).tolist()
    three = indexed_results(6, persons=3)
    three['keypoint'][2] += 100
    out = FixPersonCount(2)(three)
    assert out['keypoint'].shape == (2, 6, 25, 3)
    assert out['keypoint'].max() < 100

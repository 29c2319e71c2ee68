"""plot_label_timelines: the rows of one figure share one length."""
import numpy as np
import pytest

from snippet_plugin.visualization import plot_label_timelines
from localizer_fixtures import CLASSES


def test_timeline_rows_must_share_their_length():
    with pytest.raises(ValueError, match=r'one length, got \[3, 4\] frames'):
        plot_label_timelines([('a', np.zeros(3)), ('b', np.zeros(4))],
                             CLASSES)

"""tools/visualize_sequence.py writes a PNG of a sequence (focus on a class, a
frame range, a view) and exits on an unknown sample."""
import pytest

from snippet_plugin.datasets.annotation import save_annotations
from snippet_plugin.ingest.mocapmix import CLASSES, build_mocapmix


def test_visualize_sequence_writes_png(tmp_path, load_tool):
    ann = str(tmp_path / 'mm.pkl')
    small_dataset = build_mocapmix(seed=1, num_train=4, num_val=2)
    save_annotations(small_dataset, ann)
    visualize = load_tool('visualize_sequence').main
    val = [a for a in small_dataset['annotations']
           if a['frame_dir'] in small_dataset['split']['val']]
    last_class = CLASSES[val[1]['segments'][-1][2]]
    png = str(tmp_path / 'vis.png')
    visualize([ann, '--split', 'val', '--with-class', last_class, '--focus',
               '--out', png])
    with open(png, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    visualize([ann, '--sample', 'mocapmix_train_001', '--range', '10:80',
               '--view', 'front', '--out', png])
    with pytest.raises(SystemExit):
        visualize([ann, '--sample', 'nope', '--out', png])

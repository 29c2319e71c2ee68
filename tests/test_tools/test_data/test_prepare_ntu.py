"""tools/data/prepare_ntu.py: raw .skeleton files and pyskl pickles give a file
the dataset reads unlabelled, with the xsub splits; an empty folder or an
inconsistent pickle sample exits naming it and writes nothing."""
import pickle

import numpy as np
import pytest

from snippet_plugin.datasets import UntrimmedPoseDataset
from snippet_plugin.datasets.annotation import load_annotations
from snippet_plugin.ingest.converters.common import RawDataError
from snippet_plugin.ingest.converters.ntu import convert_ntu_pickle


def test_a_folder_of_empty_skeleton_files_writes_nothing(tmp_path,
                                                        load_tool):
    folder = tmp_path / 'skeletons'
    folder.mkdir()
    for name in ('S001C001P001R001A001', 'S001C001P003R001A002'):
        (folder / f'{name}.skeleton').write_text('0\n')
    out = tmp_path / 'ntu.pkl'
    with pytest.raises(SystemExit) as stopped:
        load_tool('data/prepare_ntu').main(
            ['--skeleton-dir', str(folder), '--out', str(out)])
    assert str(stopped.value) == (
        f'error: {folder} (2 NTU-60 .skeleton file(s) read, 2 skipped, e.g. '
        'S001C001P001R001A001.skeleton: empty file (0 frames)): no sample '
        'was converted; nothing was written')
    assert not out.exists()


def test_prepare_tool_writes_a_file_the_dataset_reads_unlabelled(
        ntu_raw, load_tool, capsys):
    out = ntu_raw / 'ntu60_xsub.pkl'
    load_tool('data/prepare_ntu').main([
        '--skeleton-dir', str(ntu_raw / 'nturgb+d_skeletons'), '--ignore-list',
        str(ntu_raw / 'missing.txt'), '--out', str(out)
    ])
    printed = capsys.readouterr().out
    assert 'train: 2 clips, 8 frames' in printed
    assert 'skipped 3 clip(s)' in printed
    dataset = UntrimmedPoseDataset(str(out), split='val', label_mode='none')
    items = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [item['frame_dir'] for item in items] == [
        'S001C002P003R001A050', 'S002C003P040R001A020'
    ]
    assert all((item['frame_labels'] == -1).all() and not
               item['video_labels'] for item in items)
    np.testing.assert_allclose(items[1]['keypoint'][0, 2, 7],
                               [2.07, 2.071, 2.072], atol=1e-5)


def test_pyskl_pickle_xsub_splits_without_labels(tmp_path, load_tool):
    rng = np.random.default_rng(0)
    keypoints = {
        'S001C001P001R001A001': rng.normal(size=(1, 20, 25, 3)),
        'S001C002P003R001A002': rng.normal(size=(2, 15, 25, 3)),
        'S018C001P008R001A061': rng.normal(size=(1, 9, 25, 3)),
    }
    source = dict(
        split=dict(xsub_train=['S001C001P001R001A001',
                               'S018C001P008R001A061'],
                   xsub_val=['S001C002P003R001A002'],
                   xview_train=['S001C002P003R001A002'],
                   xview_val=['S001C001P001R001A001']),
        annotations=[
            dict(frame_dir=name, label=int(name[-3:]) - 1,
                 keypoint=kp.astype(np.float32), total_frames=kp.shape[1])
            for name, kp in keypoints.items()
        ])
    pkl = tmp_path / 'ntu60_3danno.pkl'
    pkl.write_bytes(pickle.dumps(source))
    out = tmp_path / 'ntu60_xsub.pkl'
    load_tool('data/prepare_ntu').main(
        ['--pyskl-pkl', str(pkl), '--out', str(out)])
    data = load_annotations(str(out))
    assert data['split'] == {'train': ['S001C001P001R001A001'],
                             'val': ['S001C002P003R001A002']}
    for sample in data['annotations']:
        assert set(sample) == {'frame_dir', 'total_frames', 'keypoint'}
        np.testing.assert_array_equal(
            sample['keypoint'],
            keypoints[sample['frame_dir']].astype(np.float32))
    del source['split']['xsub_val']
    pkl.write_bytes(pickle.dumps(source))
    with pytest.raises(RawDataError, match=r"ntu60_3danno.pkl: split has no "
                       r"\['xsub_val'\]"):
        convert_ntu_pickle(str(pkl))


def test_prepare_tool_exits_naming_an_inconsistent_pickle_sample(
        tmp_path, load_tool):
    keypoint = np.ones((1, 6, 25, 3), dtype=np.float32)
    source = dict(split=dict(xsub_train=['S001C001P001R001A001'],
                             xsub_val=[]),
                  annotations=[dict(frame_dir='S001C001P001R001A001',
                                    label=0, keypoint=keypoint,
                                    total_frames=7)])
    pkl = tmp_path / 'ntu60_3danno.pkl'
    pkl.write_bytes(pickle.dumps(source))
    with pytest.raises(SystemExit) as stop:
        load_tool('data/prepare_ntu').main(
            ['--pyskl-pkl', str(pkl), '--out', str(tmp_path / 'o.pkl')])
    assert "sample 'S001C001P001R001A001'" in str(stop.value)
    assert '7 does not match keypoint frames 6' in str(stop.value)
    assert not (tmp_path / 'o.pkl').exists()

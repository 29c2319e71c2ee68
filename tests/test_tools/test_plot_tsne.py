"""tools/plot_tsne.py: the embedded frames are the real labelled frames of
the split with the model's interpolated features, each class is one scatter
of its frames, a missing scikit-learn is named, and the real t-SNE writes a
PNG (skipped without scikit-learn)."""
import sys
import types

import matplotlib.image
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import labelled_sample, write_annotation_file
from localizer_fixtures import (CLASSES, STRIDE, localizer_config,
                                rounded_skeleton, save_checkpoint)
from snippet_plugin.apis import init_localizer
from snippet_plugin.datasets.transforms import NormalizeSkeleton3D

K = len(CLASSES)
VAL = {'v0': (27, [[3, 12, 0]]), 'v1': (19, [[0, 5, 1], [10, 19, 0]])}


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Config file with a val split (v0, v1) and a train sequence, and a
    checkpoint; returns (folder, config path, checkpoint path, keypoints)."""
    folder = tmp_path_factory.mktemp('tsne')
    keypoints = {name: rounded_skeleton(frames, seed=i)
                 for i, (name, (frames, _)) in enumerate(VAL.items())}
    samples = [labelled_sample(name, keypoints[name], VAL[name][1], K)
               for name in VAL]
    samples.append(labelled_sample('t0', rounded_skeleton(15, seed=9), [],
                                   K))
    ann = folder / 'ann.pkl'
    write_annotation_file(ann, samples, CLASSES,
                          dict(train=['t0'], val=list(VAL)))
    cfg = localizer_config(ann_file=str(ann))
    config = folder / 'tiny.py'
    cfg.dump(str(config))
    checkpoint = folder / 'epoch_1.pth'
    save_checkpoint(cfg, checkpoint, seed=4)
    return folder, str(config), str(checkpoint), keypoints


def brute_force_features(model, keypoint):
    """``(T, C)`` last-level features of the normalised, padded sequence,
    linearly interpolated to the padded frames, unit rows, real frames."""
    normalised = NormalizeSkeleton3D().transform(
        dict(keypoint=keypoint.copy()))['keypoint']
    frames = normalised.shape[1]
    padded = np.zeros((1, -(-frames // STRIDE) * STRIDE, 25, 3), np.float32)
    padded[:, :frames] = normalised
    with torch.no_grad():
        level = model.extract_feat(torch.from_numpy(padded)[None])[-1]
    level = F.interpolate(level, size=padded.shape[1], mode='linear',
                          align_corners=False)
    return F.normalize(level, dim=1)[0, :, :frames].T.numpy()


def test_collected_frames_are_the_split_frames_with_their_features(
        setup, load_tool):
    _, config, checkpoint, keypoints = setup
    tool = load_tool('plot_tsne')
    model = init_localizer(config, checkpoint)
    dataset = tool.build_split(model.cfg, 'val')
    features, labels = tool.collect_frame_features(model, dataset, -1, None,
                                                   0)
    expected_labels = np.concatenate([
        [K] * 3 + [0] * 9 + [K] * 15, [1] * 5 + [K] * 5 + [0] * 9])
    assert labels.tolist() == expected_labels.tolist()
    expected = np.concatenate([brute_force_features(model, keypoints[name])
                               for name in VAL])
    np.testing.assert_allclose(features, expected, atol=1e-5)
    subset, sub_labels = tool.collect_frame_features(model, dataset, -1, 10,
                                                     0)
    assert len(subset) == 10
    # every kept frame is one of the split's frames, with its own label
    matches = np.abs(subset[:, None] - expected[None]).max(-1) < 1e-5
    assert matches.any(1).all()
    assert all(sub_labels[i] in expected_labels[matches[i]]
               for i in range(10))


def stub_sklearn(monkeypatch, calls):
    """A stand-in ``sklearn.manifold.TSNE`` whose embedding is the first two
    feature channels times 10."""
    class TSNE:
        def __init__(self, **kwargs):
            calls.append(kwargs)

        def fit_transform(self, features):
            return features[:, :2] * 10

    module = types.ModuleType('sklearn.manifold')
    module.TSNE = TSNE
    monkeypatch.setitem(sys.modules, 'sklearn', types.ModuleType('sklearn'))
    monkeypatch.setitem(sys.modules, 'sklearn.manifold', module)


def test_each_class_is_one_scatter_of_its_embedded_frames(
        setup, load_tool, monkeypatch):
    folder, config, checkpoint, _ = setup
    tool = load_tool('plot_tsne')
    calls = []
    stub_sklearn(monkeypatch, calls)
    figures = []
    real = tool.plot_embedding
    monkeypatch.setattr(tool, 'plot_embedding',
                        lambda *a: figures.append(real(*a)) or figures[-1])
    out = folder / 'stub.png'
    tool.main([config, checkpoint, '--out', str(out), '--max-frames', '1000'])
    assert out.is_file()
    assert calls == [dict(n_components=2, perplexity=15.0, init='pca',
                          random_state=0)]  # 46 frames: (46 - 1) / 3 = 15
    model = init_localizer(config, checkpoint)
    features, labels = tool.collect_frame_features(
        model, tool.build_split(model.cfg, 'val'), -1, 1000, 0)
    [ax] = figures[0].axes
    scatters = {int(c.get_label()): c.get_offsets() for c in ax.collections}
    assert sorted(scatters) == [0, 1, K]
    for label, offsets in scatters.items():
        np.testing.assert_allclose(offsets, features[labels == label, :2] *
                                   10, atol=1e-5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ['walk', 'kick', 'background']


def test_missing_scikit_learn_is_named(monkeypatch, load_tool):
    monkeypatch.setitem(sys.modules, 'sklearn.manifold', None)
    with pytest.raises(ImportError, match='pip install scikit-learn'):
        load_tool('plot_tsne').tsne_embedding(np.zeros((5, 3)), 30.0, 0)


def test_real_tsne_writes_a_png(setup, load_tool):
    pytest.importorskip('sklearn')
    folder, config, checkpoint, _ = setup
    out = folder / 'tsne.png'
    load_tool('plot_tsne').main([config, checkpoint, '--out', str(out)])
    image = matplotlib.image.imread(out)
    assert image.shape[0] > 100 and image.shape[1] > 100

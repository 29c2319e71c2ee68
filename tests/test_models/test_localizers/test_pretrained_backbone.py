"""Loading a pretrained backbone into a SkeletonLocalizer (model.pretrained):
the query encoder of a SkeletonMoCo checkpoint, plain and prefixed state dicts,
logged missing and unexpected keys, and refused checkpoints (no backbone keys,
misfit shapes, another temporal padding, unsafe pickles) named by file."""
import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from snippet_plugin.models.localizers import pretrained_backbone
from snippet_plugin.models.localizers.pretrained_backbone import (
    checkpoint_temporal_padding, load_pretrained_backbone)
from snippet_plugin.utils.checkpoint import UnsafeCheckpointError
from localizer_fixtures import GCN, build_localizer


def moco_checkpoint(path, seed=5):
    """A real tiny SkeletonMoCo state dict whose key encoder differs from
    its query encoder; returns the model."""
    torch.manual_seed(seed)
    moco = MODELS.build(
        dict(type='SkeletonMoCo', backbone=GCN,
             global_head=dict(type='GlobalProjectionHead', in_channels=32,
                              out_channels=8),
             queue_size=4, feat_dim=8))
    with torch.no_grad():
        for param in moco.encoder_k.parameters():
            param.add_(1.0)
    torch.save(moco.state_dict(), path)
    return moco


def test_pretrained_backbone_equals_the_query_encoder(tmp_path):
    path = str(tmp_path / 'moco.pth')
    moco = moco_checkpoint(path)
    model = build_localizer(pretrained=path)
    query = moco.encoder_q['backbone'].state_dict()
    conv = 'backbone.gcn.0.gcn.conv.weight'
    assert not torch.equal(model.backbone.state_dict()[conv], query[conv])
    model.init_weights()
    loaded = model.backbone.state_dict()
    assert set(loaded) == set(query)
    for key, value in query.items():
        assert torch.equal(loaded[key], value), key


def test_plain_and_prefixed_backbone_state_dicts_load(tmp_path):
    source = build_localizer(seed=7)
    plain, prefixed = tmp_path / 'plain.pth', tmp_path / 'loc.pth'
    torch.save(source.backbone.state_dict(), plain)
    torch.save(dict(state_dict=source.state_dict()), prefixed)
    for path in (plain, prefixed):
        model = build_localizer(pretrained=str(path))
        model.init_weights()
        for key, value in source.backbone.state_dict().items():
            assert torch.equal(model.backbone.state_dict()[key], value)


def test_missing_and_unexpected_keys_are_logged(tmp_path, monkeypatch):
    path = str(tmp_path / 'moco.pth')
    moco_checkpoint(path)
    state = torch.load(path)
    dropped = 'encoder_q.backbone.backbone.data_bn.weight'
    del state[dropped]
    state['encoder_q.backbone.extra.weight'] = torch.zeros(1)
    torch.save(state, path)
    messages = []
    monkeypatch.setattr(pretrained_backbone, 'print_log',
                        lambda msg, *a, **k: messages.append(msg))
    load_pretrained_backbone(build_localizer().backbone, path)
    assert any('missing' in m and 'backbone.data_bn.weight' in m
               for m in messages)
    assert any('unexpected' in m and "'extra.weight'" in m
               for m in messages)


def test_checkpoint_without_backbone_keys_is_refused(tmp_path):
    path = str(tmp_path / 'heads_only.pth')
    torch.save({'head.classifier.weight': torch.zeros(3, 10, 1)}, path)
    model = build_localizer(pretrained=path)
    with pytest.raises(ValueError, match='heads_only.pth'):
        model.init_weights()


def test_misfit_checkpoint_is_refused_before_anything_is_loaded(tmp_path):
    source = build_localizer(seed=7)
    state = source.backbone.state_dict()
    misfit = next(key for key, value in state.items() if value.dim() == 4)
    state[misfit] = torch.zeros(1, 2, 1, 1)
    path = str(tmp_path / 'other_width.pth')
    torch.save(state, path)
    model = build_localizer(seed=0)
    before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    with pytest.raises(ValueError) as err:
        load_pretrained_backbone(model.backbone, path)
    assert 'other_width.pth' in str(err.value)
    assert f'{misfit}: checkpoint (1, 2, 1, 1)' in str(err.value)
    after = model.backbone.state_dict()
    assert all(torch.equal(after[k], v) for k, v in before.items())


def run_config_text(**backbone):
    """The config text mmengine stores in ``meta['cfg']`` of a checkpoint,
    for a SkeletonMoCo run whose MultiScaleGCN has the ``backbone`` keys."""
    return Config(dict(
        model=dict(type='SkeletonMoCo', backbone=dict(GCN, **backbone)),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)))).pretty_text


@pytest.mark.parametrize('backbone, expected', [
    (dict(temporal_padding='replicate'), 'replicate'),
    (dict(temporal_padding='reflect'), 'reflect'),
    (dict(), 'zeros'),
])
def test_temporal_padding_is_read_from_the_stored_config(backbone, expected):
    checkpoint = dict(meta=dict(cfg=run_config_text(**backbone)))
    assert checkpoint_temporal_padding(checkpoint) == expected


@pytest.mark.parametrize('checkpoint', [
    {'backbone.x': torch.zeros(1)},
    dict(meta=dict(epoch=3)),
    dict(meta=dict(cfg='model = build_model()')),
    dict(meta=dict(cfg='model = dict(')),
])
def test_temporal_padding_is_unknown_without_a_literal_config(checkpoint):
    assert checkpoint_temporal_padding(checkpoint) is None


def test_stored_config_text_is_parsed_not_executed(tmp_path):
    marker = tmp_path / 'executed'
    text = (f'open({str(marker)!r}, "w")\n'
            + run_config_text(temporal_padding='replicate'))
    assert checkpoint_temporal_padding(dict(meta=dict(cfg=text))) == \
        'replicate'
    assert not marker.exists()


def test_checkpoint_of_another_temporal_padding_is_refused(tmp_path):
    """An encoder pretrained with replicate padding loaded into a
    zero-padded backbone: the weights fit but the features would not be
    the learned ones."""
    source = build_localizer(seed=7)
    path = str(tmp_path / 'replicate.pth')
    torch.save(dict(state_dict=source.state_dict(),
                    meta=dict(cfg=run_config_text(
                        temporal_padding='replicate'))), path)
    model = build_localizer(seed=0)
    before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    with pytest.raises(ValueError) as err:
        load_pretrained_backbone(model.backbone, path)
    assert str(err.value) == (
        f"{path}: the encoder was trained with temporal_padding="
        "'replicate', this backbone pads with 'zeros'; set "
        "model.backbone.temporal_padding='replicate'")
    after = model.backbone.state_dict()
    assert all(torch.equal(after[k], v) for k, v in before.items())

    matching = build_localizer(
        seed=0, backbone=dict(GCN, temporal_padding='replicate'))
    load_pretrained_backbone(matching.backbone, path)
    for key, value in source.backbone.state_dict().items():
        assert torch.equal(matching.backbone.state_dict()[key], value)


class Payload:
    """A user class nobody allowlisted."""

    def __init__(self):
        self.value = 1


def test_unsafe_pickled_checkpoint_is_refused(tmp_path):
    path = str(tmp_path / 'unsafe.pth')
    torch.save({'backbone.x': Payload()}, path)
    with pytest.raises(UnsafeCheckpointError, match='unsafe.pth'):
        build_localizer(pretrained=path).init_weights()

"""Loading a pretrained backbone into a SkeletonLocalizer (model.pretrained):
the query encoder of a SkeletonMoCo checkpoint, plain and prefixed state dicts,
logged missing and unexpected keys, and refused checkpoints (no backbone keys,
misfit shapes, unsafe pickles) named by file."""
import pytest
import torch

from mmaction.registry import MODELS
from snippet_plugin.models.localizers import pretrained_backbone
from snippet_plugin.models.localizers.pretrained_backbone import \
    load_pretrained_backbone
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


class Payload:
    """A user class nobody allowlisted."""

    def __init__(self):
        self.value = 1


def test_unsafe_pickled_checkpoint_is_refused(tmp_path):
    path = str(tmp_path / 'unsafe.pth')
    torch.save({'backbone.x': Payload()}, path)
    with pytest.raises(UnsafeCheckpointError, match='unsafe.pth'):
        build_localizer(pretrained=path).init_weights()

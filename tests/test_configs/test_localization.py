"""Stage-2 configs (configs/localization/ and the quick-start ones): the name
says protocol, refinement, init, backbone, neck and data; a snippet config
differs from its baseline in the checkpoint only; a paper-scale BABEL localizer takes the
2s-AGCN pretraining encoder key for key."""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS
from helpers import CONFIGS, STAGE2, STAGE2_PROTOCOL


def test_stage2_configs_follow_the_naming_scheme():
    """Protocol, init, backbone, optional neck, data: the name says what the
    config does (``docs/protocols.md``)."""
    assert len(STAGE2) >= 16 + 5 + 15
    for path in STAGE2:
        cfg = Config.fromfile(str(path))
        protocol = STAGE2_PROTOCOL.match(path.name).group(1)
        model = cfg.model
        assert model.type == 'SkeletonLocalizer'
        assert model.freeze_backbone == (protocol == 'linear'), path.name
        assert (model.supervision == 'weak') == (protocol == 'weak')
        assert (model.neck is None) == ('_noneck_' in path.name)
        assert (model.pretrained is None) == ('_scratch_' in path.name)
        assert (model.get('refinement') is not None) == (
            f'{protocol}_refine_' in path.name)
        dataset = cfg.train_dataloader.dataset
        dataset = dataset.get('dataset', dataset)  # RepeatDataset
        fraction = dataset.get('label_fraction', 1.0)
        if protocol.startswith('semi'):
            assert fraction == int(protocol[4:]) / 100
        else:
            assert fraction == 1.0
        assert dataset.label_mode == ('video' if protocol == 'weak' else
                                      'frame')
        if 'snippet_' in path.name:
            assert 'snippet_' in model.pretrained
        elif model.pretrained is not None:
            assert 'snippet_' not in model.pretrained
        docstring = path.read_text().split('"""')[1]
        assert f'configs/{path.relative_to(CONFIGS).as_posix()}' in docstring


@pytest.mark.parametrize('path', [p for p in STAGE2 if '_snippet_' in
                                  p.name], ids=lambda p: p.stem)
def test_stage2_snippet_config_differs_from_its_baseline_in_the_checkpoint(
        path):
    baseline = path.with_name(path.name.replace('_snippet_', '_', 1))
    ours, theirs = (Config.fromfile(str(p)).to_dict() for p in (path,
                                                                baseline))
    assert ours['model'].pop('pretrained') != theirs['model'].pop(
        'pretrained')
    for key in set(ours) | set(theirs):
        if key != 'filename':
            assert ours.get(key) == theirs.get(key), key


def test_2sagcn_pretraining_initialises_and_feeds_a_babel_localizer(
        tmp_path):
    """AAGCN's init_cfg needs MMAction2's 'ConvBranch' initializer (which
    importing snippet_plugin registers); the paper-scale localizer then
    takes the pretrained query encoder key for key."""
    init_default_scope('mmaction')
    torch.manual_seed(0)
    moco = MODELS.build(
        Config.fromfile(str(CONFIGS / 'skeletonclr_2sagcn_babel.py')).model)
    moco.init_weights()
    path = tmp_path / 'moco.pth'
    torch.save(dict(state_dict=moco.state_dict()), path)
    cfg = Config.fromfile(str(
        CONFIGS / 'localization' / 'babel' /
        'linear_snippet_rvtclr_2sagcn_babel.py'))
    cfg.merge_from_dict({'model.pretrained': str(path)})
    localizer = MODELS.build(cfg.model)
    localizer.init_weights()
    query = moco.encoder_q['backbone'].state_dict()
    assert set(localizer.backbone.state_dict()) == set(query)
    for key, value in query.items():
        assert torch.equal(localizer.backbone.state_dict()[key], value), key
    assert localizer.backbone.out_channels == [64, 128, 256]

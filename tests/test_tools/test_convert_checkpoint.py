"""tools/convert_checkpoint.py writes a checkpoint that the safe loader reads
and that fills a SkeletonLocalizer's backbone with the source encoder's
weights."""
import torch

import snippet_plugin  # noqa: F401
from mmaction.registry import MODELS
from snippet_plugin.models import backbone_state_from_checkpoint
from snippet_plugin.utils.checkpoint import load_checkpoint_file
from torchlight_encoders import (TorchlightStGcn, moco_state, randomized,
                                 stgcn_target_cfg)


def test_cli_writes_a_checkpoint_the_safe_loader_maps_to_the_backbone(
        tmp_path, capsys, load_tool):
    torch.manual_seed(3)
    source = randomized(TorchlightStGcn())
    src = tmp_path / 'aimclr.pth'
    torch.save(moco_state(source), src)
    config = tmp_path / 'model.py'
    config.write_text(
        "model = dict(backbone=dict(type='MultiScaleGCN', backbone=dict("
        "type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_"
        "spatial'), in_channels=3, base_channels=8, down_stages=[5, 8], "
        "inflate_stages=[5, 8])))\n")
    dst = tmp_path / 'converted.pth'
    load_tool('convert_checkpoint').main([
        str(src), str(dst), '--backbone', 'stgcn', '--config', str(config)])
    # data_bn 5 + 10 layers x (conv 2 + BN 5 + conv 2 + BN 5 + gcn.A +
    # gcn.PA = 16) + 2 residual convs x (2 + 5) = 179
    assert 'converted 179 tensors' in capsys.readouterr().out
    checkpoint = load_checkpoint_file(str(dst))
    assert checkpoint['meta']['source_backbone'] == 'stgcn'
    assert checkpoint['meta']['dropped_source_keys'] == [
        'encoder_q.fc.bias', 'encoder_q.fc.weight']
    localizer = MODELS.build(dict(
        type='SkeletonLocalizer', backbone=stgcn_target_cfg(),
        head=dict(type='FramewiseLocalizationHead', num_classes=4),
        pretrained=str(dst)))
    localizer.init_weights()  # random init, then the converted backbone
    ours = localizer.backbone.backbone.gcn
    assert torch.equal(ours[9].tcn.conv.weight,
                       source.st_gcn_networks[9].tcn[2].weight)
    assert torch.equal(ours[3].gcn.PA, source.edge_importance[3])
    state = backbone_state_from_checkpoint(
        checkpoint, list(localizer.backbone.state_dict()))
    assert len(state) == 179

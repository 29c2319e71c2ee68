"""AGCN (2s-AGCN): MMAction2's AAGCN with the attention module off, the same
network otherwise; refuses an attention argument."""
import pytest
import torch

from mmaction.models.utils.gcn_utils import unit_aagcn
from mmaction.registry import MODELS

ARGS = dict(graph_cfg=dict(layout='nturgb+d', mode='spatial'),
            in_channels=3, base_channels=8, data_bn_type='VC',
            down_stages=[2, 5, 8], inflate_stages=[5, 8])
ATTENTION = ('conv_ta', 'conv_sa', 'fc1c', 'fc2c')


def build(type_, seed=0, **kwargs):
    torch.manual_seed(seed)
    return MODELS.build(dict(type=type_, **ARGS, **kwargs)).eval()


def graph_units(model):
    return [m for m in model.modules() if isinstance(m, unit_aagcn)]


def test_agcn_has_no_attention_modules_and_aagcn_has_them():
    agcn, aagcn = build('AGCN'), build('AAGCN')
    assert len(graph_units(agcn)) == len(graph_units(aagcn)) == 10
    for unit in graph_units(agcn):
        assert not unit.attention
        assert not any(hasattr(unit, name) for name in ATTENTION)
    for unit in graph_units(aagcn):
        assert unit.attention
        assert all(hasattr(unit, name) for name in ATTENTION)
    # the parameters are AAGCN's minus the attention ones
    attention_free = {key for key in aagcn.state_dict()
                      if not any(f'.{name}.' in key for name in ATTENTION)}
    assert set(agcn.state_dict()) == attention_free


def test_agcn_is_aagcn_with_gcn_attention_false():
    x = torch.randn(2, 1, 16, 25, 3)
    agcn = build('AGCN', seed=3)
    reference = build('AAGCN', seed=3, gcn_attention=False)
    output = agcn(x)
    assert output.shape == (2, 1, 32, 2, 25)
    assert torch.equal(output, reference(x))
    assert not torch.equal(output, build('AAGCN', seed=3)(x))


def test_agcn_refuses_an_attention_argument():
    with pytest.raises(ValueError, match="type='AAGCN'"):
        build('AGCN', gcn_attention=True)

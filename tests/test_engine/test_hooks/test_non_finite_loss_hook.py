"""NonFiniteLossHook: a NaN loss stops a run before the broken state is saved,
naming the iteration, the losses and the last good checkpoint."""
import pytest
import torch

from snippet_plugin.engine.hooks import NonFiniteLossError
from training_probes import write_pretraining_config


def test_nan_loss_stops_before_the_broken_state_is_saved(tmp_path,
                                                         mocapmix_dir,
                                                         load_tool):
    ann_file = mocapmix_dir / 'data' / 'mocapmix' / 'mocapmix.pkl'
    config = write_pretraining_config(
        tmp_path / 'nan.py', ann_file,
        [dict(type='NaNInputAtIterHookForTests', iteration=5)])
    work_dir = tmp_path / 'run'
    with pytest.raises(NonFiniteLossError) as error:
        load_tool('train').main([str(config), '--work-dir', str(work_dir)])
    message = str(error.value)
    assert message.startswith('non-finite loss at iteration 6: ')
    assert 'loss=nan' in message and 'loss_global=nan' in message
    assert f'Last good checkpoint: {work_dir / "iter_3.pth"}.' in message
    # iteration 6 would have been checkpointed: it was not
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['iter_3.pth']
    state = torch.load(work_dir / 'iter_3.pth',
                       weights_only=True)['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values()
               if v.is_floating_point())

"""tools/analysis/position_probe.py: both probes of a pretraining config's
encoder, from a checkpoint or the random initialisation, on the config's
training sequences; replicate padding makes a still pose position-free."""
import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from helpers import CONFIGS

QUICKSTART = CONFIGS / 'quickstart'


def test_probes_a_checkpoint_of_the_fixed_quickstart(tmp_path, mocapmix_dir,
                                                     monkeypatch, load_tool,
                                                     capsys):
    """The replicate-padded encoder gives a still pose the same snippet
    features everywhere, whatever its weights."""
    monkeypatch.chdir(mocapmix_dir)
    config = QUICKSTART / 'snippet_skeletonclr_replicate_stgcn_mocapmix.py'
    torch.manual_seed(3)
    model = MODELS.build(Config.fromfile(str(config)).model)
    checkpoint = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    probes = load_tool('analysis/position_probe').main(
        [str(config), str(checkpoint)])
    # 128-frame views, 8 snippets; the 4 training sequences hold 192 frames
    assert probes['still_pose'] == pytest.approx([1.0] * 7, abs=1e-5)
    assert probes['num_sequences'] == 4
    assert -1 <= probes['shifted_windows'] <= 1
    control = probes['different_frames']
    assert probes['margin'] == pytest.approx(
        (probes['shifted_windows'] - control) / (1 - control))
    printed = capsys.readouterr().out
    assert '8 snippets' in printed and 'temporal padding replicate' in printed
    assert 'windows 64 frames apart, 4 sequences' in printed
    assert f"different frames 64 apart: {control:.3f}" in printed


def test_random_init_of_a_baseline_uses_16_frame_snippets(mocapmix_dir,
                                                          monkeypatch,
                                                          load_tool):
    monkeypatch.chdir(mocapmix_dir)
    probes = load_tool('analysis/position_probe').main([
        str(QUICKSTART / 'skeletonclr_stgcn_mocapmix.py'), '--random-init',
        '--num-sequences', '2'
    ])
    assert len(probes['still_pose']) == 128 // 16 - 1
    assert probes['num_sequences'] == 2


@pytest.mark.parametrize('argv', [[], ['ckpt.pth', '--random-init']])
def test_a_checkpoint_or_random_init_is_required(argv, load_tool):
    with pytest.raises(SystemExit):
        load_tool('analysis/position_probe').parse_args(
            [str(QUICKSTART / 'skeletonclr_stgcn_mocapmix.py'), *argv])

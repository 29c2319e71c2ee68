"""The configs ``make demo`` runs: every one the Makefile names exists, and
its Stage-2 localizer pads its temporal convolutions as the snippet encoder
it loads was trained (else ``model.pretrained`` refuses the checkpoint and
the demo stops after both pretrainings)."""
import re

from mmengine.config import Config

from helpers import CONFIGS, REPO


def makefile_variables():
    """``NAME := value`` assignments of the Makefile."""
    text = (REPO / 'Makefile').read_text()
    return dict(re.findall(r'^([A-Z_]+) :?= *(.*)$', text, re.MULTILINE))


def demo_config(name):
    return CONFIGS / 'quickstart' / f'{name}.py'


def test_the_demo_configs_exist():
    variables = makefile_variables()
    assert variables['MODELS'] == '$(BASELINE) $(SNIPPETS)'
    for key in ('BASELINE', 'SNIPPETS', 'LOCALIZER'):
        assert demo_config(variables[key]).is_file(), key
    assert (CONFIGS / 'knn' / f"{variables['FLOOR']}.py").is_file()


def test_the_demo_localizer_pads_as_its_encoder_was_trained():
    variables = makefile_variables()
    encoder = Config.fromfile(str(demo_config(variables['SNIPPETS'])))
    localizer = Config.fromfile(str(demo_config(variables['LOCALIZER'])))
    trained = encoder.model.backbone.get('temporal_padding', 'zeros')
    assert localizer.model.backbone.get('temporal_padding',
                                        'zeros') == trained
    assert localizer.model.pretrained == (
        f"work_dirs/{variables['SNIPPETS']}/epoch_40.pth")

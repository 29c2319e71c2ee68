"""Importing the plug-in (directly or through ``custom_imports``) registers
its public names in MMAction2's registries."""
import subprocess
import sys

from mmaction.registry import DATASETS, METRICS, TRANSFORMS
import snippet_plugin  # noqa: F401
from helpers import REPO

PUBLIC = {
    DATASETS: ['UntrimmedPoseDataset'],
    TRANSFORMS: [
        'NormalizeSkeleton3D', 'RandomWindowCrop', 'WindowCrop', 'PadFrames',
        'FixPersonCount', 'PackUntrimmedPoseInputs'
    ],
    METRICS: ['TemporalLocalizationMetric'],
}


def test_public_names_are_registered_with_our_classes():
    for registry, names in PUBLIC.items():
        for name in names:
            module = registry.get(name).__module__
            assert module.startswith('snippet_plugin.'), (name, module)


def test_config_custom_imports_register_the_plugin_in_a_fresh_process():
    script = (
        'from mmengine.config import Config\n'
        'from mmaction.registry import DATASETS, METRICS\n'
        "Config.fromfile('configs/_base_/default_runtime.py')\n"
        "print(DATASETS.get('UntrimmedPoseDataset').__module__,"
        " METRICS.get('TemporalLocalizationMetric').__module__)\n")
    out = subprocess.run([sys.executable, '-c', script], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == [
        'snippet_plugin.datasets.untrimmed_pose_dataset',
        'snippet_plugin.evaluation.metrics.temporal_localization_metric'
    ]

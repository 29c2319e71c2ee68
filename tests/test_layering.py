"""The training path never imports the offline ingestion layer."""
import subprocess
import sys

TRAINING_PATH = ('snippet_plugin', 'snippet_plugin.models',
                 'snippet_plugin.datasets', 'snippet_plugin.engine',
                 'snippet_plugin.evaluation')


def imported_ingest_modules(packages):
    """The ``snippet_plugin.ingest`` modules a fresh interpreter holds after
    importing ``packages``."""
    probe = (f"import sys, {', '.join(packages)}\n"
             "print(sorted(m for m in sys.modules "
             "if m.startswith('snippet_plugin.ingest')))")
    out = subprocess.run([sys.executable, '-c', probe],
                         capture_output=True,
                         text=True,
                         check=True).stdout
    return out.strip().splitlines()[-1]


def test_training_path_does_not_import_ingest():
    assert imported_ingest_modules(TRAINING_PATH) == '[]'


def test_the_probe_sees_an_ingest_import():
    assert 'snippet_plugin.ingest.converters' in imported_ingest_modules(
        ['snippet_plugin.ingest.converters'])

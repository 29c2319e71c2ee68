"""AtomicCheckpointHook: mmengine's own write of last_checkpoint becomes atomic
while the hook saves."""
import sys

import pytest
from mmengine.hooks import CheckpointHook

from snippet_plugin.engine.hooks.atomic_checkpoint_hook import \
    _atomic_text_open


def test_pointer_writes_in_mmengines_hook_module_become_atomic(tmp_path):
    """mmengine writes ``last_checkpoint`` with ``open(path, 'w')`` in its
    hook module; while AtomicCheckpointHook saves, that write is atomic."""
    module = sys.modules[CheckpointHook.__module__]
    pointer = tmp_path / 'last_checkpoint'
    pointer.write_text('/run/iter_3.pth')
    write = "with open(path, 'w') as f:\n    f.write(text)\n    fail()"

    def fail():
        raise KeyboardInterrupt

    with _atomic_text_open(str(pointer)):
        with pytest.raises(KeyboardInterrupt):  # interrupted mid-write
            exec(write, vars(module), dict(path=str(pointer),
                                            text='/run/iter_6', fail=fail))
        assert pointer.read_text() == '/run/iter_3.pth'
        exec(write, vars(module), dict(path=str(pointer),
                                        text='/run/iter_6.pth',
                                        fail=lambda: None))
        assert pointer.read_text() == '/run/iter_6.pth'
    assert 'open' not in vars(module)  # the builtin again
    assert sorted(p.name for p in tmp_path.iterdir()) == ['last_checkpoint']

"""``keep_freed_memory``: when it acts, what it tells glibc, that freed
blocks are then reused without fresh page faults, and that a training step
computes the same losses and gradients either way."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from snippet_plugin.utils.allocator import (M_MMAP_MAX, M_TRIM_THRESHOLD,
                                            MAX_TRIM_THRESHOLD, _glibc,
                                            allocator_tuning_wanted,
                                            keep_freed_memory)

REPO = Path(__file__).resolve().parents[2]
needs_glibc = pytest.mark.skipif(_glibc() is None,
                                 reason='the C library is not glibc')


class RecordingLibc:
    """Stands in for glibc: records ``mallopt`` calls, answers ``result``."""

    def __init__(self, result=1):
        self.calls = []
        self.result = result

    def mallopt(self, param, value):
        self.calls.append((param, value))
        return self.result


@pytest.mark.parametrize('environ, wanted', [
    ({}, True),
    ({'SNIPPET_PLUGIN_MALLOC': 'default'}, False),
    ({'SNIPPET_PLUGIN_MALLOC': ' Default '}, False),
    ({'SNIPPET_PLUGIN_MALLOC': 'tuned'}, True),
    ({'GLIBC_TUNABLES': 'glibc.malloc.mmap_max=0'}, False),
    ({'GLIBC_TUNABLES': 'glibc.cpu.hwcaps=-AVX:glibc.malloc.arena_max=2'},
     False),
    ({'GLIBC_TUNABLES': 'glibc.cpu.hwcaps=-AVX'}, True),
])
def test_tuning_is_wanted_unless_switched_off_or_set_by_the_user(environ,
                                                                 wanted):
    assert allocator_tuning_wanted(environ) is wanted


def test_keep_freed_memory_disables_mmap_and_trimming():
    libc = RecordingLibc()
    assert keep_freed_memory({}, libc) is True
    assert libc.calls == [(M_MMAP_MAX, 0),
                          (M_TRIM_THRESHOLD, MAX_TRIM_THRESHOLD)]
    assert (M_MMAP_MAX, M_TRIM_THRESHOLD) == (-4, -1)  # <malloc.h>
    assert MAX_TRIM_THRESHOLD == 2147483647  # largest C int


def test_keep_freed_memory_leaves_the_allocator_alone_when_not_wanted():
    libc = RecordingLibc()
    assert keep_freed_memory({'SNIPPET_PLUGIN_MALLOC': 'default'},
                             libc) is False
    assert libc.calls == []


def test_keep_freed_memory_reports_a_refused_setting():
    assert keep_freed_memory({}, RecordingLibc(result=0)) is False


REUSE_PROBE = """
import resource, sys, torch
from snippet_plugin.utils.allocator import keep_freed_memory
applied = keep_freed_memory() if sys.argv[1] == 'tuned' else False
faults = []
for _ in range(4):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = torch.ones(16 * 2**20)  # 64 MiB, written through
    del block
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt
                  - before)
print(applied, faults[-1])
"""


def run_python(code, *args, env=None):
    """stdout of ``python -c code args`` from the repository root."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ('GLIBC_TUNABLES', 'SNIPPET_PLUGIN_MALLOC')}
    environ.update(env or {})
    return subprocess.run([sys.executable, '-c', code, *args], check=True,
                          capture_output=True, text=True, cwd=REPO,
                          env=environ, timeout=300).stdout.split()


@needs_glibc
def test_a_freed_block_is_reused_without_fresh_pages():
    page_count = 64 * 2**20 // os.sysconf('SC_PAGE_SIZE')
    applied, default_faults = run_python(REUSE_PROBE, 'default')
    assert applied == 'False'
    assert int(default_faults) >= page_count  # mmap'd and unmapped anew
    applied, tuned_faults = run_python(REUSE_PROBE, 'tuned')
    assert applied == 'True'
    assert int(tuned_faults) < page_count // 100


TRAINING_PROBE = """
import sys, torch
from mmengine.optim import OptimWrapper
import snippet_plugin
from mmaction.registry import MODELS
from snippet_plugin.utils.allocator import keep_freed_memory
from helpers import tiny_moco_cfg
applied = keep_freed_memory() if sys.argv[1] == 'tuned' else False
torch.set_num_threads(1)
torch.manual_seed(0)
model = MODELS.build(tiny_moco_cfg('SkeletonMoCo', 16, 64, 0.07,
                                   num_snippets=2)).train()
optim = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
inputs = torch.randn(8, 2, 2, 64, 25, 3)
record = dict(applied=applied, losses=[], grads=[])
for _ in range(2):
    data = model.data_preprocessor(
        dict(inputs=list(inputs), data_samples=None), True)
    losses = model(**data, mode='loss')
    loss = sum(v for k, v in losses.items() if k.startswith('loss'))
    optim.zero_grad()
    loss.backward()
    record['losses'].append({k: v.detach() for k, v in losses.items()})
    record['grads'].append({n: p.grad.clone()
                            for n, p in model.named_parameters()
                            if p.grad is not None})
    optim.step()
torch.save(record, sys.argv[2])
"""


@needs_glibc
def test_training_step_is_the_same_with_the_tuned_allocator(tmp_path):
    """Two SGD steps of a snippet SkeletonMoCo (the conv activations are
    over glibc's mmap threshold, so the two runs place them differently):
    losses and gradients agree."""
    code = f'import sys; sys.path.insert(0, {str(REPO / "tests")!r})\n' \
        + TRAINING_PROBE
    records = {}
    for mode in ('default', 'tuned'):
        path = tmp_path / f'{mode}.pt'
        run_python(code, mode, str(path))
        records[mode] = torch.load(path)
    assert records['default']['applied'] is False
    assert records['tuned']['applied'] is True
    for field in ('losses', 'grads'):
        for default, tuned in zip(records['default'][field],
                                  records['tuned'][field]):
            assert default.keys() == tuned.keys() and default
            for name in default:
                torch.testing.assert_close(tuned[name], default[name],
                                           rtol=1e-6, atol=1e-7)

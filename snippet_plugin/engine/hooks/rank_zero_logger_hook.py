"""A ``LoggerHook`` whose test-metric file is written by rank 0 only."""
from mmengine.dist import is_main_process
from mmengine.hooks import LoggerHook

from mmaction.registry import HOOKS


@HOOKS.register_module()
class RankZeroLoggerHook(LoggerHook):
    """``LoggerHook`` that writes ``<log_dir>/<timestamp>.json`` of a test
    run from rank 0 only.

    mmengine 0.10.7's ``LoggerHook.after_test_epoch`` calls ``dump`` on every
    rank, and under ``torchrun`` all ranks share one ``log_dir`` and one
    timestamp. Two ranks then open the same file for writing at once; their
    records (equal metrics, different timings, so different lengths)
    overwrite each other and can leave the tail of the longer one behind the
    shorter: a line that is not JSON. Metrics are already all-gathered
    before this hook runs, so rank 0's record is the run's record. Training
    and validation logs go through the visualizer, which mmengine already
    restricts to rank 0; they are left to the parent class.
    """

    def after_test_epoch(self, runner, metrics=None) -> None:
        """Log and dump the test metrics on rank 0; other ranks do nothing."""
        if is_main_process():
            super().after_test_epoch(runner, metrics)

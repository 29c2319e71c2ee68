"""Helpers shared by the raw-dataset converters."""
import hashlib
import re
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import Pool
from typing import Callable, Dict, List, Sequence, Tuple

from mmengine.utils import ProgressBar


class RawDataError(ValueError):
    """A raw dataset file breaks its documented format.

    The message names the file and, where it applies, the line (1-based)
    at fault.
    """


@dataclass
class ConversionReport:
    """What a converter left out, and why.

    Attributes:
        skipped: ``(name, reason)`` of every input left out of the output.
        notes: Remarks on the conversion as a whole (counts of ignored
            inputs, choices applied).
    """
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)

    def skip(self, name: str, reason: str) -> None:
        """Record that ``name`` is left out because of ``reason``."""
        self.skipped.append((name, reason))

    def summary(self, unit: str = 'input') -> str:
        """The notes, then each skipped ``unit`` with its reason."""
        lines = [f'note: {note}' for note in self.notes]
        if self.skipped:
            lines.append(f'skipped {len(self.skipped)} {unit}(s):')
            lines += [f'  {name}: {why}' for name, why in self.skipped]
        return '\n'.join(lines)


def map_with_progress(func: Callable, items: Sequence, workers: int = 1,
                      **kwargs) -> list:
    """``[func(item, **kwargs) for item in items]`` behind a progress bar.

    With ``workers > 1`` the items run in a process pool. When an item
    raises, the pool is terminated and joined before the exception goes on
    (no worker and no pool finaliser outlives it), and the progress bar's
    line is ended first, so that a caller's error message starts a line of
    its own.

    Args:
        func: A module-level function (picklable for ``workers > 1``).
        items: One task each.
        workers: Processes; 1 runs in this process.
        **kwargs: Fixed keyword arguments of ``func``.

    Returns:
        The results in the order of ``items``.
    """
    if not items:
        return []
    task, items = partial(func, **kwargs), list(items)
    bar = ProgressBar(len(items))
    results = []
    try:
        if workers > 1:
            pool = Pool(workers)
            try:
                for result in pool.imap(task, items):
                    results.append(result)
                    bar.update()
                pool.close()
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
        else:
            for item in items:
                results.append(task(item))
                bar.update()
    finally:
        bar.file.write('\n')
        bar.file.flush()
    return results


def file_sha256(path: str) -> str:
    """SHA-256 hex digest of a file's bytes."""
    with open(path, 'rb') as f:
        return hashlib.file_digest(f, 'sha256').hexdigest()


def refuse_empty(split: Dict[str, Sequence[str]], what: str,
                 required: Sequence[str] = ()) -> None:
    """Refuse to write an annotation file without any sample, or with an
    empty split among ``required``.

    Args:
        split: The file's ``split`` dict ``{name: [sample ids]}``.
        what: How to name the input in the message (e.g. its folder).
        required: Splits that must hold a sample.

    Raises:
        RawDataError: naming ``what`` and the empty split.
    """
    counts = ', '.join(f'{name} {len(ids)}' for name, ids in split.items())
    if not any(split.values()):
        raise RawDataError(f'{what}: no sample was converted; nothing was '
                           'written')
    empty = [name for name in required if not split.get(name)]
    if empty:
        raise RawDataError(
            f'{what}: the {" and ".join(empty)} split would be empty '
            f'(samples per split: {counts}); nothing was written')


def split_ids(text: str) -> List[str]:
    """Ids separated by commas and/or whitespace, in order, empties dropped.
    """
    return [token for token in re.split(r'[,\s]+', text) if token]

"""Helpers shared by the raw-dataset converters."""
import re
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, List, Sequence, Tuple

from mmengine.utils import track_iter_progress, track_parallel_progress


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
    task = partial(func, **kwargs)
    if workers > 1:
        return track_parallel_progress(task, list(items), workers)
    return [task(item) for item in track_iter_progress(list(items))]


def split_ids(text: str) -> List[str]:
    """Ids separated by commas and/or whitespace, in order, empties dropped.
    """
    return [token for token in re.split(r'[,\s]+', text) if token]

"""Summary statistics of an annotation dict, per split, for the prepare tools."""
from collections import Counter
from typing import Dict

import numpy as np


def split_statistics(data: Dict) -> Dict[str, Dict]:
    """Sequences, frames, hours, lengths, persons and instances per split.

    Args:
        data: An annotation dict (see :mod:`.annotation`).

    Returns:
        ``{split: {'sequences': n, 'frames': F, 'hours': h, 'min_frames': a,
        'max_frames': b, 'persons': {M: sequences with M persons},
        'instances': int64 (K,) segments per class, or None without
        classes}}``.
    """
    by_name = {s['frame_dir']: s for s in data['annotations']}
    classes = data['meta'].get('classes')
    fps = data['meta'].get('fps') or 30
    stats = {}
    for split, members in data.get('split', {}).items():
        samples = [by_name[name] for name in members]
        lengths = [int(s['total_frames']) for s in samples] or [0]
        instances = None
        if classes is not None:
            class_ids = [int(c) for s in samples
                         for _, _, c in s.get('segments', [])]
            instances = np.bincount(np.asarray(class_ids, dtype=np.int64),
                                    minlength=len(classes))
        stats[split] = dict(
            sequences=len(samples),
            frames=sum(lengths),
            hours=sum(lengths) / fps / 3600,
            min_frames=min(lengths),
            max_frames=max(lengths),
            persons=dict(sorted(Counter(
                int(s['keypoint'].shape[0]) for s in samples).items())),
            instances=instances)
    return stats


def format_statistics(data: Dict, unit: str = 'sequences') -> str:
    """A printable table: one line per split, then instances per class."""
    stats = split_statistics(data)
    lines = []
    for split, s in stats.items():
        line = (f"{split:>5}: {s['sequences']} {unit}, {s['frames']} frames "
                f"({s['hours'] * 60:.1f} min), {s['min_frames']}-"
                f"{s['max_frames']} frames each, persons "
                f"{s['persons']}")
        if s['instances'] is not None:
            line += f", {int(s['instances'].sum())} action instances"
        lines.append(line)
    classes = data['meta'].get('classes')
    if classes is None or not stats:
        return '\n'.join(lines)
    width = max(len(str(name)) for name in classes)
    lines.append(f"{'id':>3}  {'class':<{width}}" +
                 ''.join(f'{split:>7}' for split in stats))
    for class_id, name in enumerate(classes):
        lines.append(f'{class_id:>3}  {str(name):<{width}}' + ''.join(
            f"{int(s['instances'][class_id]):>7}" for s in stats.values()))
    return '\n'.join(lines)

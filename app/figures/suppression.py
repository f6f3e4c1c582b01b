"""Small numbers never single anyone out: the rules statistics offices use, in one place.

- Primary: a count from 1 to 4 is shown as "< 5". Zero stays 0.
- Secondary: when the parts of a visible total have exactly one hidden cell, that cell
  could be recovered by subtraction (relatives = total - citizens - staff - volunteers),
  so the next smallest non-zero cell of the group is hidden as well.
- A rate is not shown when its denominator is under 5, nor when its numerator is hidden
  (a visible rate of a visible total would give the hidden count back).

Pure functions: counts in, cells out. The page, every CSV and the export all read the
cells, so the rules hold everywhere at once; the exact count of a hidden cell is dropped
here and never reaches a template or a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

THRESHOLD = 5
HIDDEN_TEXT = "< 5"
EXPORT_HIDDEN = "<5"


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: `value` is None when hidden."""

    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        return HIDDEN_TEXT if self.value is None else str(self.value)

    def export(self) -> int | str:
        return EXPORT_HIDDEN if self.value is None else self.value


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def single(count: int) -> Cell:
    """A count shown on its own (no total to subtract it from)."""
    return Cell(None if is_small(count) else count)


def group(parts: Mapping[str, int], total: int | None = None) -> tuple[dict[str, Cell], Cell]:
    """Cells of a group whose parts add up to `total` (the total is shown too).

    `total` defaults to the sum of the parts. Parts are hidden by the primary rule, then,
    while exactly one part is hidden under a visible total, the smallest visible non-zero
    part (the first one on a tie, in the given order) is hidden too.
    """
    total = sum(parts.values()) if total is None else total
    hidden = {key for key, count in parts.items() if is_small(count)}
    total_hidden = is_small(total)
    if not total_hidden:
        while len(hidden) == 1:
            visible = [
                (count, i, key)
                for i, (key, count) in enumerate(parts.items())
                if key not in hidden and count > 0
            ]
            if not visible:
                break
            hidden.add(min(visible)[2])
    cells = {key: Cell(None if key in hidden else count) for key, count in parts.items()}
    return cells, Cell(None if total_hidden else total)


def rate(numerator: Cell, denominator: Cell | int) -> float | None:
    """numerator / denominator, or None when it could single someone out."""
    value = denominator.value if isinstance(denominator, Cell) else denominator
    if numerator.value is None or value is None or value < THRESHOLD:
        return None
    return numerator.value / value

"""Small numbers never single anyone out: the rules statistics offices use, in one place.

- Primary: a count from 1 to 4 is shown as "< 5". Zero stays 0.
- Secondary: when the parts of a visible total have exactly one hidden cell, that cell
  could be recovered by subtraction (relatives = total - citizens - staff - volunteers),
  so the next smallest non-zero cell of the group is hidden as well. Its count is 5 or
  more, so it is marked "hidden" (export: "hidden"), never "< 5".
- A rate is not shown when its denominator is under 5, nor when its numerator is hidden
  (a visible rate of a visible total would give the hidden count back).

Pure functions: counts in, cells out. The page, every CSV and the export all read the
cells, so the rules hold everywhere at once; the exact count of a hidden cell is dropped
here and never reaches a template or a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

THRESHOLD = 5
HIDDEN_TEXT = "< 5"
EXPORT_HIDDEN = "<5"
# a cell hidden only by the secondary rule: its count may be far above 5, so "< 5" would lie
EXPORT_SECONDARY = "hidden"


def secondary_text() -> str:
    return _("hidden")


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: `value` is None when hidden.

    `secondary` marks a cell hidden only so that a small one cannot be worked out: its
    count is not small, so it gets its own mark, never "< 5".
    """

    value: int | None
    secondary: bool = False

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        if self.value is not None:
            return str(self.value)
        return secondary_text() if self.secondary else HIDDEN_TEXT

    def export(self) -> int | str:
        if self.value is not None:
            return self.value
        return EXPORT_SECONDARY if self.secondary else EXPORT_HIDDEN


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
    primary = set(hidden)
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
    cells = {
        key: Cell(None, secondary=key not in primary) if key in hidden else Cell(count)
        for key, count in parts.items()
    }
    return cells, Cell(None if total_hidden else total)


def rate(numerator: Cell, denominator: Cell | int) -> float | None:
    """numerator / denominator, or None when it could single someone out."""
    value = denominator.value if isinstance(denominator, Cell) else denominator
    if numerator.value is None or value is None or value < THRESHOLD:
        return None
    return numerator.value / value

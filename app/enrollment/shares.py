"""Audience shares: a class stays mixed.

An offering may set, per audience, a minimum share of its seats kept for that audience
until a date (say 70 % for citizens until a week before the start) and a maximum number of
seats (say at most 3 staff). Pure rules of the seats held per audience and the time, like
`availability.py`; the sign-up service asks them under the offering's lock
(app/enrollment/services.py), the offering page and the API show what they answer.

The rule, for a person of audience A:
- every other audience B keeps the seats of its share that it has not filled yet
  (`kept(B) - held(B)`, while B's date has not passed);
- A takes a seat if one is free after those, and A holds fewer than its maximum.
Kept seats are `ceil(share × capacity)`: "at least 70 %" of 7 seats is 5.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Share:
    """One audience's rule on one offering."""

    audience: str
    min_share_percent: int | None = None
    kept_until: datetime | None = None
    max_seats: int | None = None

    @property
    def applies(self) -> bool:
        return self.min_share_percent is not None or self.max_seats is not None


def shares_of(offering) -> list[Share]:
    """An offering's shares, from its audience rows."""
    return [
        Share(
            audience=str(row.audience),
            min_share_percent=row.min_share_percent,
            kept_until=row.kept_until,
            max_seats=row.max_seats,
        )
        for row in offering.audience_rows
    ]


def shares_apply(shares: Iterable[Share]) -> bool:
    return any(share.applies for share in shares)


def kept_seats(share: Share, capacity: int | None, now: datetime) -> int:
    """Seats kept for the share's audience now (0 once its date has passed)."""
    if capacity is None or not share.min_share_percent:
        return 0
    if share.kept_until is not None and now >= share.kept_until:
        return 0
    return math.ceil(capacity * share.min_share_percent / 100)


def seats_left_by_audience(
    capacity: int | None,
    shares: Iterable[Share],
    held: Mapping[str, int],
    now: datetime,
) -> dict[str, int | None]:
    """Per audience of the offering: seats a person of it can take now (None: no limit)."""
    shares = list(shares)
    free = None if capacity is None else max(capacity - sum(held.values()), 0)
    unfilled = {
        s.audience: max(kept_seats(s, capacity, now) - held.get(s.audience, 0), 0) for s in shares
    }
    left: dict[str, int | None] = {}
    for share in shares:
        limits = []
        if free is not None:
            kept_for_others = sum(n for a, n in unfilled.items() if a != share.audience)
            limits.append(max(free - kept_for_others, 0))
        if share.max_seats is not None:
            limits.append(max(share.max_seats - held.get(share.audience, 0), 0))
        left[share.audience] = min(limits) if limits else None
    return left


def can_take_seat(
    audience: str,
    capacity: int | None,
    shares: Iterable[Share],
    held: Mapping[str, int],
    now: datetime,
) -> bool:
    """A person of `audience` may take a seat now: capacity and every share allow it."""
    shares = list(shares)
    if all(share.audience != audience for share in shares):
        shares.append(Share(audience))  # not among the offering's audiences: staff added them
    left = seats_left_by_audience(capacity, shares, held, now)[audience]
    return left is None or left > 0

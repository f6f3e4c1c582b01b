"""The period and filters of a key-figures view, read from the URL and checked.

A wrong value is never a 500: it becomes a message in the user's language, and the page
offers the form again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.figures import period as periods
from app.figures.queries import Filters, offerings_in_scope
from app.models import Occurrence, Offering, OfferingKind, Organisation, Theme


@dataclass
class View:
    period: periods.Period
    filters: Filters
    scope: int | None  # None: every organisation
    args: dict[str, str] = field(default_factory=dict)  # the query string, to rebuild links
    organisations: list[Organisation] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    offerings: list[tuple[int, str]] = field(default_factory=list)
    this_term: periods.Period | None = None
    last_term: periods.Period | None = None
    period_choices: list[str] = field(default_factory=list)
    kinds: tuple[OfferingKind, ...] = tuple(OfferingKind)


class FilterError(ValueError):
    def __init__(self, message: str, view: View) -> None:
        super().__init__(message)
        self.message = message
        self.view = view


_KEYS = ("period", "from", "to", "kind", "organisation", "theme", "offering")


def parse_view(args: Mapping[str, str], *, today: date, organisation: int | None) -> View:
    kept = {k: args.get(k, "").strip()[:40] for k in _KEYS if args.get(k, "").strip()}
    this_term = periods.term_of(today)
    view = View(
        period=this_term,
        filters=Filters(),
        scope=organisation,
        args=kept,
        this_term=this_term,
        last_term=periods.previous_term(this_term),
    )
    view.period_choices = [
        slug
        for year in range(today.year, today.year - 3, -1)
        for slug in (
            f"{year}-autumn",
            f"{year}-spring",
            f"{year}",
            *(f"{year}-q{q}" for q in (4, 3, 2, 1)),
        )
    ]
    view.organisations = list(
        db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
    )
    view.themes = list(db.session.scalars(sa.select(Theme).order_by(Theme.name)))
    try:
        view.period = periods.parse(
            kept.get("period"), start=kept.get("from"), end=kept.get("to"), today=today
        )
    except periods.PeriodError:
        raise FilterError(
            _(
                "We could not read that period. Choose a term, a quarter (2026-q3), a year, "
                "or two days (from and to, at most three years apart)."
            ),
            view,
        ) from None

    kind = kept.get("kind") or None
    if kind and kind not in {k.value for k in OfferingKind}:
        raise FilterError(_("Unknown kind of offering."), view)
    organisation_id = _by_slug(view.organisations, kept.get("organisation"))
    if organisation_id is False:
        raise FilterError(_("Unknown organisation."), view)
    theme_id = _by_slug(view.themes, kept.get("theme"))
    if theme_id is False:
        raise FilterError(_("Unknown theme."), view)
    offering_id = None
    if kept.get("offering"):
        if not kept["offering"].isdigit():
            raise FilterError(_("Unknown offering."), view)
        offering_id = int(kept["offering"])
    view.filters = Filters(kind, organisation_id, theme_id, offering_id)
    view.offerings = _offerings_of_period(view)
    return view


def _by_slug(rows, slug: str | None) -> int | None | bool:
    if not slug:
        return None
    return next((row.id for row in rows if row.slug == slug), False)


def _offerings_of_period(view: View) -> list[tuple[int, str]]:
    """The single-offering filter lists the offerings with a date in the period."""
    scope = offerings_in_scope(view.scope, Filters(kind=view.filters.kind)).scalar_subquery()
    period = view.period
    dated = (
        sa.select(Occurrence.offering_id)
        .where(
            Occurrence.offering_id.in_(scope),
            Occurrence.starts_at >= period.starts_at,
            Occurrence.starts_at < period.ends_at,
        )
        .distinct()
    )
    rows = db.session.execute(
        sa.select(Offering.id, Offering.title)
        .where(Offering.id.in_(dated))
        .order_by(Offering.title, Offering.id)
    )
    return [(offering_id, title) for offering_id, title in rows]

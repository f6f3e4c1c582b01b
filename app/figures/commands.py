"""`flask figures export`: the key-figures export partner municipalities compare."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.database import utcnow
from app.figures import export, services
from app.figures import period as periods
from app.figures.queries import Filters

# An AppGroup, so that each command runs inside the application context.
figures = AppGroup("figures", help="Key figures.")


@figures.command("export")
@click.option("--period", "period_id", default=None, help="2026-autumn, 2026-spring, 2026-q3, 2026")
@click.option("--from", "first_day", default=None, help="First day (YYYY-MM-DD), with --to.")
@click.option("--to", "last_day", default=None, help="Last day (YYYY-MM-DD), inclusive.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def export_command(
    period_id: str | None, first_day: str | None, last_day: str | None, output: Path | None
) -> None:
    """Write the suppressed key figures of a period as one JSON document (format version 1)."""
    now = utcnow()
    try:
        period = periods.parse(period_id, start=first_day, end=last_day, today=now.date())
    except periods.PeriodError as error:
        raise click.BadParameter(
            f"cannot read the period {error}; use e.g. 2026-autumn, 2026-q3, 2026, "
            "or --from 2026-01-01 --to 2026-03-31"
        ) from None
    report = services.build_report(period, None, Filters(), now=now)
    doc = export.document(
        report, municipality=current_app.config["MUNICIPALITY_NAME"], generated_on=now.date()
    )
    text = export.dumps(doc)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output} ({period.slug}).", err=True)

"""Key figures under /manage/figures: the views; their URLs are the table at the end.

The period and the filters live in the query string (`period`, `from`, `to`, `kind`,
`organisation`, `theme`, `offering`), so a link to a view can be shared.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_date
from flask_login import current_user

from app.database import utcnow
from app.figures import services
from app.figures.filters import FilterError, parse_view
from app.management import policy
from app.management.access import allowed_if

bp = Blueprint("figures", __name__, url_prefix="/manage/figures", cli_group=None)


@bp.context_processor
def _templates_ask_the_policy() -> dict:
    return {"policy": policy}


def _view_of_the_url():
    """The period and filters of the URL, limited to what the user may see."""
    return parse_view(
        request.args,
        today=utcnow().date(),
        organisation=policy.key_figures_organisation(current_user),
    )


@allowed_if(policy.can_view_key_figures)
def index():
    """The key figures of a period: tables, monthly charts, all suppressed below 5."""
    try:
        view = _view_of_the_url()
    except FilterError as error:
        return render_template("figures/index.html", view=error.view, error=error.message), 400
    report = services.build_report(view.period, view.scope, view.filters, now=utcnow())
    return render_template("figures/index.html", view=view, report=report, error=None)


@allowed_if(policy.can_view_key_figures)
def table_csv(key: str):
    """One table of the page as CSV: UTF-8 with BOM and semicolons, for Danish Excel."""
    try:
        view = _view_of_the_url()
    except FilterError as error:
        abort(400, error.message)
    report = services.build_report(view.period, view.scope, view.filters, now=utcnow())
    if key == "months":
        body = services.trend_csv(report.trend, lambda m: format_date(m, "MMMM y"))
    elif key in {t.key for t in report.tables}:
        body = services.table_csv(report.table(key))
    else:
        abort(404)
    filename = f"noegletal-{key}-{view.period.slug.replace('..', '_')}.csv"
    return Response(
        body.encode("utf-8"),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


GET = ["GET"]

# fmt: off
URLS = [
    ("",                 index,     GET),  # the key figures of a period, with filters
    ("/<key>.csv",       table_csv, GET),  # one table (or `months`) as CSV for Danish Excel
]
# fmt: on

for _rule, _view, _methods in URLS:
    bp.add_url_rule(_rule, view_func=_view, methods=_methods)

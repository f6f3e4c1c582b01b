"""Key figures under /manage/figures: the views; their URLs are the table at the end.

The period and the filters live in the query string (`period`, `from`, `to`, `kind`,
`organisation`, `theme`, `offering`), so a link to a view can be shared.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from app.database import utcnow
from app.extensions import db
from app.figures import commands, compare, export, models, services  # noqa: F401
from app.figures import period as periods
from app.figures.filters import FilterError, parse_view
from app.figures.forms import UploadForm
from app.figures.models import FiguresUpload
from app.figures.queries import Filters
from app.management import policy
from app.management.access import allowed_if

bp = Blueprint("figures", __name__, url_prefix="/manage/figures", cli_group=None)


@bp.context_processor
def _templates_ask_the_policy() -> dict:
    return {"policy": policy, "period_name": services.period_name}


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
        title = _("By month")
    elif key in {t.key for t in report.tables}:
        body = services.table_csv(report.table(key))
        title = report.table(key).title
    else:
        abort(404)
    filename = services.csv_filename(title, view.period)
    return Response(
        body.encode("utf-8"),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _rejection_message(error: export.ExportRejected) -> str:
    max_kb = current_app.config["FIGURES_UPLOAD_MAX_BYTES"] // 1024
    messages = {
        "too_large": _("The file is larger than %(size)s kB. Nothing was changed.", size=max_kb),
        "not_json": _("The file is not a JSON document. Nothing was changed."),
        "wrong_format": _("The file is not a key-figures export. Nothing was changed."),
        "wrong_version": _(
            "The export is of version %(found)s; this site reads version %(version)s. "
            "Nothing was changed.",
            found=error.detail,
            version=export.VERSION,
        ),
        "invalid": _(
            "The export does not follow the format (%(detail)s). Nothing was changed.",
            detail=error.detail,
        ),
        "missing": _("Choose an export file to upload."),
    }
    return messages[error.reason]


@allowed_if(policy.can_compare_key_figures)
def compare_page():
    """Our figures beside partner municipalities' exports for the same period; upload more."""
    form = UploadForm()
    upload_error = None
    status = 200
    if request.method == "POST":
        upload_error = _upload(form)
        if upload_error is None:
            return redirect(url_for("figures.compare_page", period=request.args.get("period", "")))
        status = 400
    today = utcnow().date()
    error = report = None
    columns = []
    try:
        period = periods.parse(request.args.get("period"), today=today)
    except periods.PeriodError:
        period, status = periods.term_of(today), 400
        error = _("We could not read that period. Choose a term, a quarter (2026-q3) or a year.")
    if error is None:
        report = services.build_report(period, None, Filters(), now=utcnow())
        own = export.document(
            report, municipality=current_app.config["MUNICIPALITY_NAME"], generated_on=today
        )
        columns = compare.columns_for(period.slug, own)
    return render_template(
        "figures/compare.html",
        form=form,
        period=period,
        report=report,
        columns=columns,
        error=error,
        upload_error=upload_error,
        uploads=compare.uploads(),
        max_kb=current_app.config["FIGURES_UPLOAD_MAX_BYTES"] // 1024,
        version=export.VERSION,
        count_text=compare.count_text,
        rate_text=compare.rate_text,
        lookup=compare.lookup,
    ), status


def _upload(form: UploadForm) -> str | None:
    """Keep the uploaded export, or say why not (and change nothing)."""
    if not form.validate_on_submit():
        return _("The form has expired. Please try again.")
    # The form checks CSRF; our base form keeps file parts out of its fields (app/forms.py).
    file = request.files.get("export_file")
    if file is None or not getattr(file, "filename", ""):
        return _rejection_message(export.ExportRejected("missing"))
    limit = current_app.config["FIGURES_UPLOAD_MAX_BYTES"]
    data = file.stream.read(limit + 1)
    try:
        upload = compare.keep_upload(data, max_bytes=limit, user_id=current_user.id, now=utcnow())
    except export.ExportRejected as error:
        return _rejection_message(error)
    flash(
        _(
            "The export of %(name)s for %(period)s is kept.",
            name=upload.municipality,
            period=upload.period_id,
        ),
        "success",
    )
    return None


@allowed_if(policy.can_compare_key_figures)
def remove_upload(upload_id: int):
    """Remove a kept partner export."""
    if not UploadForm().validate_on_submit():
        abort(400)
    upload = db.session.get(FiguresUpload, upload_id)
    if upload is not None:  # removing twice (a double click) is no error
        compare.remove_upload(upload)
    flash(_("The export is removed."), "success")
    return redirect(url_for("figures.compare_page"))


GET = ["GET"]
GET_POST = ["GET", "POST"]
POST = ["POST"]

# fmt: off
URLS = [
    ("",                 index,     GET),  # the key figures of a period, with filters
    ("/<key>.csv",       table_csv, GET),  # one table (or `months`) as CSV for Danish Excel
    # partner municipalities' exports beside ours (coordinators, admins)
    ("/compare",                            compare_page,  GET_POST),
    ("/compare/<int:upload_id>/remove",     remove_upload, POST),
]
# fmt: on

for _rule, _view, _methods in URLS:
    bp.add_url_rule(_rule, view_func=_view, methods=_methods)

bp.cli.add_command(commands.figures)  # flask figures export

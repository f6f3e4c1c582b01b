"""The anonymous questionnaire (a once-only link), the staff's results, `flask send-evaluations`."""

from __future__ import annotations

import click
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.database import utcnow
from app.evaluations import services
from app.evaluations.forms import HideForm, QuestionnaireForm, QuestionnaireWho5Form
from app.extensions import db
from app.management import policy
from app.management.access import ensure, offering_or_404, staff_only
from app.models import Offering
from app.ops.logs import log_job
from app.transaction import write_transaction
from app.wellbeing import services as wellbeing

bp = Blueprint("evaluations", __name__, cli_group=None)


def questionnaire(token: str):
    """GET shows the questions; POST stores the answer and spends the link."""
    now = utcnow()
    invite = services.find_invite(token, now=now)
    if invite is None:
        return render_template("evaluations/link_used.html"), 404
    offering = db.session.get(Offering, invite.offering_id)
    who5 = wellbeing.end_open(invite)
    form = QuestionnaireWho5Form() if who5 else QuestionnaireForm()
    if form.validate_on_submit():
        answers = {name: form[name].data for name in (*services.QUESTIONS, "comment")}
        if not services.store_answer(invite, answers, now=now):  # a second click won the race
            return render_template("evaluations/link_used.html"), 404
        if who5 and (items := form.who5_items()) is not None:
            wellbeing.answer_end(invite, items, now=now)
        return redirect(url_for("evaluations.thanks"))
    status = 400 if form.is_submitted() else 200
    return render_template("evaluations/form.html", form=form, offering=offering), status


def thanks():
    return render_template("evaluations/thanks.html")


@staff_only
def results(offering_id: int):
    """An offering's answers, only from MIN_ANSWERS on; comments with hide buttons."""
    offering = offering_or_404(offering_id)
    ensure(policy.can_view_evaluations(current_user, offering), policy.can_view_evaluations)
    return render_template(
        "evaluations/results.html",
        offering=offering,
        results=services.results_of(offering.id),
        minimum=services.MIN_ANSWERS,
        wellbeing=wellbeing.results_of(offering.id)
        if wellbeing.offering_uses_who5(offering)
        else None,
        min_pairs=wellbeing.MIN_PAIRS,
        questions=[(name, getattr(QuestionnaireForm, name).args[0]) for name in services.QUESTIONS],
        form=HideForm(),
    )


def _set_hidden(offering_id: int, answer_id: int, *, hidden: bool):
    offering = offering_or_404(offering_id)
    ensure(policy.can_view_evaluations(current_user, offering), policy.can_view_evaluations)
    if not HideForm().validate_on_submit():
        abort(400)
    if services.set_comment_hidden(offering.id, answer_id, hidden=hidden):
        message = _("The comment is hidden.") if hidden else _("The comment is shown again.")
        flash(message, "success")
    return redirect(url_for("evaluations.results", offering_id=offering.id))


@staff_only
def hide_comment(offering_id: int, answer_id: int):
    """Hide a comment (e.g. one that names someone) from the results page."""
    return _set_hidden(offering_id, answer_id, hidden=True)


@staff_only
def show_comment(offering_id: int, answer_id: int):
    return _set_hidden(offering_id, answer_id, hidden=False)


# fmt: off
URLS = [
    ("/evaluation/<token>",  questionnaire, ["GET", "POST"]),  # the once-only link from the mail
    ("/evaluation/thanks",   thanks,        ["GET"]),
    ("/manage/offerings/<int:offering_id>/evaluation", results, ["GET"]),
    ("/manage/offerings/<int:offering_id>/evaluation/<int:answer_id>/hide", hide_comment, ["POST"]),
    ("/manage/offerings/<int:offering_id>/evaluation/<int:answer_id>/show", show_comment, ["POST"]),
]
# fmt: on

for _rule, _view, _methods in URLS:
    bp.add_url_rule(_rule, view_func=_view, methods=_methods)


@bp.cli.command("send-evaluations")
def send_evaluations_command() -> None:
    """Mail the questionnaire to those who came, when a course or a group's term has ended."""
    with write_transaction():
        written = services.send_evaluations(now=utcnow())
    log_job("send-evaluations", queued=written)
    click.echo(f"evaluations queued: {written}")

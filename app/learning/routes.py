"""My learning plan: every URL of the area at a glance.

GET  /my/learning-plan/<offering_id>   the signed-in person's goals and notes for one course
POST /my/learning-plan/<offering_id>   save them (both empty: the plan is deleted)

CLI: flask rotate-learning-plan-key     re-encrypt every plan with the newest key

Only the participant signed in at /my (by the one-time link to their address) gets here; a
staff sign-in is not a participant sign-in, so no role reads a plan.
"""

from __future__ import annotations

import click
from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from app.database import utcnow
from app.enrollment.sign_in import PARTICIPANT_SESSION_KEY

# erasure: a plan goes with its erased sign-up; own_data: plans in the person's own data
from app.learning import erasure, own_data, services  # noqa: F401
from app.learning.crypto import PlanUnreadable
from app.learning.forms import LearningPlanForm
from app.security import no_store
from app.transaction import write_transaction

bp = Blueprint("learning", __name__, cli_group=None)


@bp.after_request
def _never_stored(response):
    return no_store(response)


@bp.route("/my/learning-plan/<int:offering_id>", methods=["GET", "POST"])
def plan(offering_id: int):
    """One course's learning plan: the person's own goals and notes, only for them."""
    email = session.get(PARTICIPANT_SESSION_KEY)
    if not email:
        return redirect(url_for("enrollment.my_bookings"))
    try:
        offering = services.plan_offering(email, offering_id)
        content = services.read_plan(email, offering_id)
    except services.NoPlanHere:
        abort(404)
    except PlanUnreadable:
        return render_template("learning/unreadable.html"), 503
    form = LearningPlanForm(data={"goals": content.goals, "notes": content.notes})
    if form.validate_on_submit():
        goals, notes = form.goals.data or "", form.notes.data or ""
        services.save_plan(email, offering_id, goals=goals, notes=notes, now=utcnow())
        flash(_("Your learning plan is saved."), "success")
        return redirect(url_for(".plan", offering_id=offering_id))
    return render_template(
        "learning/plan.html", form=form, offering=offering, content=content
    ), 400 if form.errors else 200


@bp.cli.command("rotate-learning-plan-key")
def rotate_key_command() -> None:
    """Re-encrypt every learning plan with the newest of LEARNING_PLAN_KEYS."""
    with write_transaction():
        count = services.reencrypt_all()
    click.echo(f"learning plans re-encrypted: {count}")

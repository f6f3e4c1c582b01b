"""The WHO-5 question at the start: on the person's own sign-up page, once, skippable.

/enrollments/<token>/wellbeing        from the manage link in the confirmation mail
/my/enrollments/<id>/wellbeing        the same for the signed-in person

No score is ever shown back: the answer is stored and the person is thanked. The view is a
door of the enrollment blueprint (endpoint `enrollment.wellbeing`), like the manage page:
same two ways in, same no-store answers.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.database import utcnow
from app.enrollment.routes import _load
from app.enrollment.routes import bp as enrollment_bp
from app.forms import ConfirmForm
from app.wellbeing import services
from app.wellbeing.forms import Who5StartForm


def start(token: str | None = None, enrollment_id: int | None = None):
    """GET asks the five statements; POST stores the answer, or the skip."""
    enrollment, ref = _load(token, enrollment_id)
    back = redirect(url_for("enrollment.manage", **ref))
    if not services.start_open(enrollment):
        return back  # asked once already, no seat, or the offering does not ask
    form = Who5StartForm()
    if request.method == "POST":
        if request.form.get("skip"):
            if not ConfirmForm().validate_on_submit():
                abort(400)
            services.answer_start(enrollment, None, now=utcnow())
            flash(_("That is fine. We will not ask you again before you start."), "success")
            return back
        if form.validate_on_submit():
            items = form.who5_items()
            if items is not None:
                services.answer_start(enrollment, items, now=utcnow())
                flash(_("Thank you for answering."), "success")
                return back
            form.item1.errors = [
                _('Choose an answer for each statement, or press "Skip the questions".')
            ]
    return render_template(
        "wellbeing/start.html",
        form=form,
        enrollment=enrollment,
        offering=enrollment.offering,
        ref=ref,
    ), (400 if request.method == "POST" else 200)


DOORS = ("/enrollments/<token:token>/wellbeing", "/my/enrollments/<int:enrollment_id>/wellbeing")
for _rule in DOORS:
    enrollment_bp.add_url_rule(_rule, "wellbeing", start, methods=["GET", "POST"])

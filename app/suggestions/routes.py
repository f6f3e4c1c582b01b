"""Suggest a group: the public pages and the staff's moderation; the URLs are the table at the end.

/suggestions                          approved suggestions with their "me too" count
/suggestions/new                      the form (GET) and the suggestion (POST)
/suggestions/<id>/me-too              "me too" (POST), with an address or anonymously
/manage/suggestions                   staff: waiting and public suggestions with counts
/manage/suggestions/<id>/approve      POST
/manage/suggestions/<id>/decline      POST: the kind standard answer to every address
/manage/suggestions/<id>/merge        POST: this one into the chosen one (people move)

Every POST is a write transaction (app.transaction): the views never commit.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.database import utcnow
from app.errors import too_many_requests_page
from app.extensions import limiter
from app.forms import ConfirmForm
from app.i18n import current_language
from app.management import policy
from app.management.access import allowed_if
from app.security import no_store
from app.suggestions import models, services  # noqa: F401  (the tables)
from app.suggestions.forms import MergeForm, MeTooForm, SuggestionForm

bp = Blueprint("suggestions", __name__)


@bp.context_processor
def _templates_ask_the_policy() -> dict:
    return {"policy": policy}


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


@bp.errorhandler(429)
def too_many_requests(error):
    return too_many_requests_page()


# --- public --------------------------------------------------------------------------------


def index():
    """Approved suggestions, each with how many share the need."""
    suggestions = services.public_suggestions()
    return render_template(
        "suggestions/index.html", suggestions=suggestions, me_too_form=MeTooForm()
    )


@limiter.limit(_signup_limit, methods=["POST"])
def new():
    """The form, and the suggestion itself (it waits for staff before anyone sees it)."""
    form = SuggestionForm()
    if form.validate_on_submit():
        if not form.website.data:  # the honeypot: a bot gets the same thanks, nothing saved
            services.suggest(
                form.topic.data,
                form.reason.data,
                email=form.email.data or None,
                language=current_language(),
                now=utcnow(),
            )
        flash(_("Thank you. Your suggestion is shown here once the volunteer centre has read it."))
        return redirect(url_for(".index"))
    status = 400 if form.errors else 200
    return render_template("suggestions/new.html", form=form), status


@limiter.limit(_signup_limit, methods=["POST"])
def me_too(suggestion_id: int):
    """Count me in: with an address (told if it starts) or without."""
    form = MeTooForm()
    if services.public_suggestion(suggestion_id) is None:
        flash(_("That suggestion is no longer open."), "error")
        return redirect(url_for(".index"))
    if not form.validate_on_submit():
        return render_template(
            "suggestions/index.html",
            suggestions=services.public_suggestions(),
            me_too_form=MeTooForm(),
            failed_id=suggestion_id,
            failed_form=form,
        ), 400
    services.me_too(
        suggestion_id, email=form.email.data or None, language=current_language(), now=utcnow()
    )
    flash(_("Thank you. You are counted."))
    return redirect(url_for(".index") + f"#suggestion-{suggestion_id}")


# --- staff ---------------------------------------------------------------------------------


def _merge_form(suggestion, open_ones) -> MergeForm:
    form = MergeForm()
    form.keep_id.choices = [(s.id, s.topic) for s in open_ones if s.id != suggestion.id]
    return form


def _staff_page(status: int = 200, **extra):
    open_ones = services.suggestions_for_staff()
    response = render_template(
        "suggestions/manage.html",
        suggestions=open_ones,
        merge_forms={s.id: _merge_form(s, open_ones) for s in open_ones},
        confirm_form=ConfirmForm(),
        **extra,
    )
    return no_store(current_app.make_response((response, status)))


@allowed_if(policy.can_moderate_suggestions)
def manage():
    """Waiting suggestions first, then the public ones, with their counts."""
    return _staff_page()


def _act(action, suggestion_id: int, done: str):
    try:
        action(suggestion_id, user_id=current_user.id, now=utcnow())
    except services.SuggestionError:
        flash(_("That suggestion is no longer open."), "error")
    else:
        flash(done)
    return redirect(url_for(".manage"))


@allowed_if(policy.can_moderate_suggestions)
def approve(suggestion_id: int):
    if not ConfirmForm().validate_on_submit():
        return _staff_page(400)
    return _act(services.approve, suggestion_id, _("The suggestion is public now."))


@allowed_if(policy.can_moderate_suggestions)
def decline(suggestion_id: int):
    if not ConfirmForm().validate_on_submit():
        return _staff_page(400)
    return _act(
        services.decline,
        suggestion_id,
        _("The suggestion is declined; everyone who left an address gets a kind answer."),
    )


@allowed_if(policy.can_moderate_suggestions)
def merge(suggestion_id: int):
    open_ones = services.suggestions_for_staff()
    current = next((s for s in open_ones if s.id == suggestion_id), None)
    if current is None:
        flash(_("That suggestion is no longer open."), "error")
        return redirect(url_for(".manage"))
    form = _merge_form(current, open_ones)
    if not form.validate_on_submit():
        return _staff_page(400, merge_error_id=suggestion_id)
    keep_id = form.keep_id.data
    return _act(
        lambda duplicate_id, **kw: services.merge(keep_id, duplicate_id, **kw),
        suggestion_id,
        _("Merged: the people behind it are counted in the kept suggestion."),
    )


GET, POST = ["GET"], ["POST"]
URLS = [
    ("/suggestions",                               index,    GET),
    ("/suggestions/new",                           new,      ["GET", "POST"]),
    ("/suggestions/<int:suggestion_id>/me-too",    me_too,   POST),
    ("/manage/suggestions",                        manage,   GET),
    ("/manage/suggestions/<int:suggestion_id>/approve", approve, POST),
    ("/manage/suggestions/<int:suggestion_id>/decline", decline, POST),
    ("/manage/suggestions/<int:suggestion_id>/merge",   merge,   POST),
]  # fmt: skip

for _rule, _view, _methods in URLS:
    bp.add_url_rule(_rule, view_func=_view, methods=_methods)

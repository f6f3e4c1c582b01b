"""The staff area under /manage: every URL, in one table.

Each line is a URL, the view that answers it, and its methods; who may use it is decided by the
view's decorator (`@staff_only`, `@allowed_if(...)`) and proved for every role by
tests/management/test_route_matrix.py. The calendar area serves the facilitator's feed,
/manage/calendar/<token>.ics. Indico's `blueprint.py` files are the model.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext

from app.extensions import login_manager
from app.interest import views as interest
from app.management import commands, policy
from app.management import views_admin as admin
from app.management import views_auth as auth
from app.management import views_offerings as offerings
from app.management import views_participants as participants
from app.management import views_places as places
from app.management import views_sign_in as sign_in
from app.management.shares import audience_shares
from app.security import no_store

bp = Blueprint("management", __name__, url_prefix="/manage", cli_group=None)

GET = ["GET"]
POST = ["POST"]
GET_POST = ["GET", "POST"]

# fmt: off
URLS = [
    # signing in; a forgotten password by a one-time link
    ("/login",                                          auth.login,                      GET_POST),
    ("/logout",                                         auth.logout,                     POST),
    ("/password/forgot",                                auth.forgot_password,            GET_POST),
    ("/password/reset/<token>",                         auth.reset_password,             GET_POST),
    # the facilitator's own page, offerings and their dates
    ("/",                                               offerings.dashboard,             GET),
    ("/calendar-link",                                  offerings.calendar_link,         POST),
    ("/offerings",                                      offerings.offerings,             GET),
    ("/offerings/new",                                  offerings.new_offering,          GET_POST),
    ("/offerings/<int:offering_id>",                    offerings.offering,              GET),
    ("/offerings/<int:offering_id>/edit",               offerings.edit_offering,         GET_POST),
    ("/offerings/<int:offering_id>/preview",            offerings.preview_offering,      GET),
    ("/offerings/<int:offering_id>/publish",            offerings.publish,               POST),
    ("/offerings/<int:offering_id>/unpublish",          offerings.unpublish,             POST),
    ("/offerings/<int:offering_id>/duplicate",          offerings.duplicate,             POST),
    ("/offerings/<int:offering_id>/cancel",             offerings.cancel_offering,       GET_POST),
    ("/offerings/<int:offering_id>/shares",             audience_shares,                 GET_POST),
    ("/offerings/<int:offering_id>/notices",            offerings.set_notices,           POST),
    ("/offerings/<int:offering_id>/occurrences/new",    offerings.new_occurrence,        GET_POST),
    ("/offerings/<int:offering_id>/occurrences/series", offerings.new_series,            GET_POST),
    ("/occurrences/<int:occurrence_id>/move",           offerings.move_occurrence,       GET_POST),
    ("/occurrences/<int:occurrence_id>/cancel",         offerings.cancel_occurrence,     GET_POST),
    # participants: every view or export of their data is written to the audit log
    ("/offerings/<int:offering_id>/participants",       participants.participants,       GET),
    ("/offerings/<int:offering_id>/participants/new",   participants.add_participant,    GET_POST),
    ("/offerings/<int:offering_id>/participants.csv",   participants.participants_csv,   GET),
    ("/offerings/<int:offering_id>/attendance-sheet",   participants.attendance_sheet,   GET),
    ("/offerings/<int:offering_id>/email",              participants.email_participants, GET_POST),
    ("/enrollments/<int:enrollment_id>/approve",        participants.approve,            POST),
    ("/enrollments/<int:enrollment_id>/decline",        participants.decline,            GET_POST),
    ("/enrollments/<int:enrollment_id>/cancel",         participants.cancel_seat,        GET_POST),
    ("/enrollments/<int:enrollment_id>/promote",        participants.promote,            POST),
    ("/enrollments/<int:enrollment_id>/correct",        participants.correct_participant, GET_POST),
    ("/enrollments/<int:enrollment_id>/mail/<int:message_id>/send-again",
                                                        participants.send_mail_again,    POST),
    ("/occurrences/<int:occurrence_id>/attendance",     participants.attendance,         GET_POST),
    # interest mode: the interest list, the first talks, the start (app/interest/)
    ("/offerings/<int:offering_id>/interest",           interest.interest_list,          GET),
    ("/offerings/<int:offering_id>/interest/start",     interest.start_group,            POST),
    ("/enrollments/<int:enrollment_id>/talk",           interest.record_talk,            POST),
    ("/enrollments/<int:enrollment_id>/seat",           interest.give_seat,              POST),
    ("/suggestions/<int:suggestion_id>/group",          interest.suggestion_to_group,    GET_POST),
    ("/occurrences/<int:occurrence_id>/headcount",      participants.headcount,          POST),
    # administration
    ("/accounts",                                       admin.accounts_list,             GET),
    ("/accounts/new",                                   admin.new_account,               GET_POST),
    ("/accounts/<int:user_id>/active",                  admin.set_account_active,        POST),
    ("/accounts/<int:user_id>/edit",                    admin.edit_account,              GET_POST),
    ("/accounts/<int:user_id>/invite",                  admin.resend_invitation,         POST),
    ("/organisations",                                  admin.organisations,             GET),
    ("/organisations/new",                              admin.new_organisation,          GET_POST),
    ("/organisations/<int:organisation_id>/edit",       admin.edit_organisation,         GET_POST),
    ("/places",                                         places.places_list,              GET),
    ("/places/new",                                     places.new_place,                GET_POST),
    ("/places/<int:location_id>/edit",                  places.edit_place,               GET_POST),
    ("/audit",                                          admin.audit_log,                 GET),
    ("/audit.csv",                                      admin.audit_csv,                 GET),
    ("/mail",                                           admin.undelivered_mail,          GET),
    ("/mail/<int:message_id>/retry",                    admin.retry_mail,                POST),
    ("/settings/sign-in",                               sign_in.sign_in_settings,        GET_POST),
]
# fmt: on

for _rule, _view, _methods in URLS:
    bp.add_url_rule(_rule, view_func=_view, methods=_methods)

bp.cli.add_command(commands.users)  # flask users create
bp.cli.add_command(commands.local_passwords_command)  # flask local-passwords on|status


def N_(msgid: str) -> str:
    """Mark a msgid for extraction; it is translated later, when it is shown."""
    return msgid


@bp.record_once
def _configure_login(_state) -> None:
    login_manager.login_view = "management.login"
    # A msgid; Flask-Login translates it through the callback when it flashes it.
    login_manager.login_message = N_("Please sign in to see that page.")
    login_manager.login_message_category = "error"
    login_manager.session_protection = "strong"
    login_manager.localize_callback = gettext


@bp.after_request
def _staff_pages_are_not_stored(response):
    """Staff pages show participants' names and needs: never kept in a browser's cache."""
    return no_store(response)


@bp.context_processor
def _templates_ask_the_policy() -> dict:
    """Templates show a link only when the policy allows it (the view checks again)."""
    return {"policy": policy}

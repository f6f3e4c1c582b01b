"""The staff area under /manage: every URL at a glance.

Signing in (views_auth.py)
  GET/POST /manage/login                        sign in (throttled per IP and per email)
  POST     /manage/logout                       sign out
  GET/POST /manage/password/forgot              ask for a one-time reset link
  GET/POST /manage/password/reset/<token>       set a new password with that link

The facilitator's own page and offerings (views_offerings.py)
  GET      /manage/                             my next occurrences, seat counts, new requests
  POST     /manage/calendar-link                create or renew my calendar feed address
  GET      /manage/figures                      key figures (coordinators, admins)
  GET      /manage/offerings                    every offering I may see
  GET/POST /manage/offerings/new                create an offering (a draft)
  GET      /manage/offerings/<id>               an offering's staff page: dates, status, actions
  GET/POST /manage/offerings/<id>/edit          edit it (with a Markdown preview)
  POST     /manage/offerings/<id>/publish       publish / unpublish / duplicate
  POST     /manage/offerings/<id>/unpublish
  POST     /manage/offerings/<id>/duplicate
  GET/POST /manage/offerings/<id>/cancel        cancel, with a message to every participant
  GET/POST /manage/offerings/<id>/occurrences/new      add one date
  GET/POST /manage/offerings/<id>/occurrences/series   add a weekly or fortnightly series
  GET/POST /manage/occurrences/<id>/move        move one date (participants are told)
  GET/POST /manage/occurrences/<id>/cancel      cancel one date (participants are told)

Participants (views_participants.py); every view or export is written to the audit log
  GET      /manage/offerings/<id>/participants          confirmed, waiting, requests, ended
  GET/POST /manage/offerings/<id>/participants/new      add someone who phoned
  GET      /manage/offerings/<id>/participants.csv      CSV for Danish Excel
  GET      /manage/offerings/<id>/attendance-sheet      printable attendance sheet
  GET/POST /manage/offerings/<id>/email                 write to all or some participants
  POST     /manage/enrollments/<id>/approve|decline|cancel|promote
  GET/POST /manage/occurrences/<id>/attendance          one tap per person: present/absent/excused

Administration (views_admin.py)
  GET      /manage/accounts, GET/POST /manage/accounts/new, POST /manage/accounts/<id>/active
  GET      /manage/organisations, GET/POST /manage/organisations/new
  GET      /manage/audit                        who looked at participant data, and when

The calendar area serves /manage/calendar/<token>.ics (the facilitator's feed).
"""

from flask import Blueprint

from app.extensions import login_manager

bp = Blueprint("management", __name__, url_prefix="/manage", cli_group=None)


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
    from flask_babel import gettext

    login_manager.localize_callback = gettext


@bp.context_processor
def _templates_ask_the_policy() -> dict:
    """Templates show a link only when the policy allows it (the view checks again)."""
    from app.management import policy

    return {"policy": policy}


from app.management import (  # noqa: E402  (the views register themselves on `bp`)
    commands,  # noqa: F401
    views_admin,  # noqa: F401
    views_auth,  # noqa: F401
    views_offerings,  # noqa: F401
    views_participants,  # noqa: F401
)

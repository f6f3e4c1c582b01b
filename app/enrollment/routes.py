"""Sign-up, the manage link and "my bookings": every participant URL at a glance.

/offerings/<slug>/enroll             the sign-up form (GET) and sign-up (POST)
/offerings/<slug>/enroll/done        where you stand now; a mail with your link is on its way
/enrollments/<token>                 manage one enrollment (the emailed link)
/enrollments/<token>/cancel          GET asks "are you sure?", POST cancels
/enrollments/<token>/correct         correct your name, phone and needs
/enrollments/<token>/accept|decline  answer a waiting-list offer (POST)
/enrollments/<token>/leave           leave the waiting list (POST)
/enrollments/<token>/confirm         confirm a seat held until the address is confirmed (POST)
/enrollments/<token>/absence/<occ>   "I can't come this time" for one date, or its undo (POST;
                                     a themed meeting asks first on a GET page)
/absence/<occ>/<token>               the reminder mail's link: GET asks, POST sends word
/m/<short>                           the text message's short link to the manage page
/my                                  ask for a sign-in link; signed in: all your bookings
/my/sign-in/<token>                  GET shows a button, POST uses the one-time link
/my/sign-out                         POST
/my/enrollments/<id>[/...]           the manage pages again, for the signed-in person

CLI: flask send-mail, flask process-waitlist, flask send-reminders.
Every POST here is a write transaction (`app.transaction`): BEGIN IMMEDIATE on SQLite, so the
services' offering lock is a real one on both databases, and one commit when the view answers.
"""

from __future__ import annotations

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import generate_csrf
from werkzeug.routing import BaseConverter

from app.calendar.tokens import personal_calendar_settings, personal_calendar_token
from app.certificates.services import certificates_in_view, min_share
from app.database import utcnow
from app.emails import normalize_email
from app.enrollment import absence, services
from app.enrollment.forms import CorrectDetailsForm, EmailForm, SignupForm
from app.enrollment.messages import ended_label, participant_message
from app.enrollment.seats import (
    offering_seats,
    public_offering,
    public_offering_seats,
    public_offering_seats_and_marker,
)
from app.enrollment.sign_in import (
    PARTICIPANT_SESSION_KEY,
    find_sign_in_token,
    redeem_sign_in_token,
    request_sign_in_link,
)
from app.enrollment.tokens import (
    enrollment_by_absence_token,
    enrollment_by_short_token,
    enrollment_by_token,
    manage_token,
)
from app.errors import too_many_requests_page
from app.extensions import csrf, db, limiter
from app.forms import ConfirmForm
from app.i18n import current_language
from app.learning.services import courses_with_plans
from app.mail.notifications import queue_reminders
from app.mail.sender import send_pending
from app.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from app.ops.logs import log_job
from app.page_cache import personal_request
from app.security import no_store
from app.transaction import begin_write, reads_before_writing, write_transaction
from app.wellbeing import services as wellbeing

bp = Blueprint("enrollment", __name__, cli_group=None)
bp.add_app_template_global(ended_label)


class TokenConverter(BaseConverter):
    """A manage or sign-in token: URL-safe base64, never a dot (so `<token>.ics` is apart)."""

    regex = r"[A-Za-z0-9_-]{16,200}"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("token", TokenConverter))

SIGNUP_KEY = "signup_result"


# Public pages of this area; every other answer here is about one person.
_PUBLIC_ENDPOINTS = {"enrollment.enroll", "enrollment.privacy"}


@bp.after_request
def _personal_pages_are_not_stored(response):
    if request.endpoint not in _PUBLIC_ENDPOINTS:
        no_store(response)
    return response


@bp.errorhandler(429)
def too_many_requests(error):
    return too_many_requests_page()


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _per_offering_limit() -> str:
    return current_app.config["SIGNUP_PER_OFFERING_LIMIT"]


def _offering_key() -> str:
    """One visitor's sign-ups for one offering (the address as ProxyFix gives it)."""
    return f"{get_remote_address()}|{(request.view_args or {}).get('slug', '')}"


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _signed_up(response) -> bool:
    """A sign-up POST that was taken: it redirects to the thank-you page."""
    return response.status_code == 302


def _email_key() -> str:
    return "email:" + normalize_email(request.form.get("email", ""))[:254]


# --- signing up ----------------------------------------------------------------------------


@bp.route("/offerings/<slug:slug>/enroll", methods=["GET", "POST"])
# The form checks its own CSRF token (below), so that an expired token or a lost cookie gives
# the form back with everything typed, never the error page of CSRFProtect.
@csrf.exempt
@reads_before_writing  # a rush is not serialised on rendering and validating forms
# Every POST counts toward the limit per address (bots); toward the limits per email and per
# offering only a sign-up that was taken, so a person who gets a field wrong three times can
# still sign up.
@limiter.limit(_signup_limit, methods=["POST"])
@limiter.limit(
    _signup_limit,
    methods=["POST"],
    key_func=_email_key,
    scope="signup-email",
    deduct_when=_signed_up,
)
@limiter.limit(
    _per_offering_limit,
    methods=["POST"],
    key_func=_offering_key,
    scope="signup-offering",
    deduct_when=_signed_up,
)
def enroll(slug: str):
    """The sign-up form, and the sign-up itself.

    A POST counts no seats before it takes the lock (the service counts them under it): in a
    rush, every statement before the lock is one more for each of the people waiting.
    """
    now = utcnow()
    if request.method == "POST":
        offering = public_offering(slug)
        if offering is None:
            abort(404)
        detail = None
    else:
        found = public_offering_seats_and_marker(slug, now)
        if found is None:
            abort(404)
        detail, marker = found
        offering = detail.offering
        if not detail.availability.signup_possible:
            return _closed(detail)
        if not personal_request():
            return _empty_form(detail, marker)
    form = _signup_form(offering)
    if form.validate_on_submit():
        if form.website.data:  # the honeypot: a bot; answer as if all went well
            session[SIGNUP_KEY] = {"slug": slug}
            return redirect(url_for(".done", slug=slug))
        person = services.PersonDetails(
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data or None,
            audience=form.audience.data,
            wants_companion=bool(form.wants_companion and form.wants_companion.data),
            sms_reminders=form.sms_reminders.data,
            needs=form.needs.data or None,
            workplace=form.workplace.data if form.workplace else None,
            language=current_language(),
            privacy_notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        )
        offering_id = offering.id
        begin_write()  # the read ends; the sign-up runs under the write lock
        try:
            # A new sign-up and an address already signed up get the same answer (the mail
            # says which): the page must not tell anyone who takes this course.
            services.sign_up(offering_id, person, now=now)
            session[SIGNUP_KEY] = {"slug": slug}  # no token: the manage link is in the mail
        except services.AudienceNotAllowed as error:
            form.audience.errors.append(participant_message(error))
            return render_template(
                "enrollment/enroll.html",
                form=form,
                detail=public_offering_seats(slug, now),
                offering=offering,
            ), 400
        except services.SignupClosed:
            return _closed(public_offering_seats(slug, now))
        return redirect(url_for(".done", slug=slug))
    if detail is None:  # a POST with something to correct: the form again, with the seats
        detail = public_offering_seats(slug, now)
        if not detail.availability.signup_possible:
            return _closed(detail)
    # The form was left open too long (the token expired) or the mail app's browser lost the
    # cookie: the same form again, with what was typed and a fresh token, and one line.
    token_expired = bool(form.csrf_token.errors) if form.meta.csrf else False
    status = 400 if form.errors else 200
    return render_template(
        "enrollment/enroll.html",
        form=form,
        detail=detail,
        offering=offering,
        token_expired=token_expired,
        field_errors={k: v for k, v in form.errors.items() if k != "csrf_token"},
    ), status


def _signup_form(offering) -> SignupForm:
    return SignupForm(
        audiences=offering.audiences,
        staff_only=offering.for_staff_only,
        asks_workplace=offering.asks_workplace,
    )


_TOKEN_SLOT = "\x00csrf-token\x00"


def _empty_form(detail, marker: int):
    """The empty sign-up form, rendered once per offering, state (seats, waiting list...),
    language and URL while nothing public changes; each visitor gets their own CSRF token.

    In a rush this page is asked for once per sign-up, and rendering it was a fifth of a
    worker's time. Not for a signed-in visitor or one with a message waiting (their page is
    their own)."""
    offering = detail.offering
    key = "|".join(
        [
            "signup-form",
            str(marker),  # the structure marker, read with the offering
            str(offering.id),
            detail.availability.state.value,
            current_language(),
            request.full_path,
        ]
    )
    cache = current_app.extensions["page_cache"]
    page = cache.get(key)
    if page is not None:
        return page.replace(_TOKEN_SLOT, generate_csrf()) if _TOKEN_SLOT in page else page
    form = _signup_form(offering)
    html = render_template("enrollment/enroll.html", form=form, detail=detail, offering=offering)
    token = form.csrf_token.current_token if form.meta.csrf else None
    cache.put(key, html.replace(token, _TOKEN_SLOT) if token else html)
    return html


def _closed(detail):
    return render_template("enrollment/closed.html", detail=detail, offering=detail.offering)


@bp.get("/offerings/<slug:slug>/enroll/done")
def done(slug: str):
    """Thank you: a mail says where you stand and has your link (the same page for everyone)."""
    result = session.get(SIGNUP_KEY) or {}
    if result.get("slug") != slug:
        return redirect(url_for("catalogue.offering", slug=slug))
    detail = public_offering_seats(slug, utcnow())
    if detail is None:
        abort(404)
    return render_template("enrollment/done.html", offering=detail.offering)


# --- managing one enrollment ---------------------------------------------------------------


def _load(token: str | None = None, enrollment_id: int | None = None) -> tuple[Enrollment, dict]:
    """The enrollment behind a manage link, or behind /my for the signed-in person."""
    if token is not None:
        enrollment = enrollment_by_token(token)
        if enrollment is None:
            abort(404)
        return enrollment, {"token": token}
    email = session.get(PARTICIPANT_SESSION_KEY)
    if not email:
        abort(redirect(url_for(".my_bookings")))
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.email_normalized != email:
        abort(404)
    return enrollment, {"enrollment_id": enrollment_id}


def _back(ref: dict):
    return redirect(url_for(".manage", **ref))


def manage(token: str | None = None, enrollment_id: int | None = None):
    """One enrollment: where it stands, every date, the place, and what you can do."""
    enrollment, ref = _load(token, enrollment_id)
    return render_template(
        "enrollment/manage.html",
        enrollment=enrollment,
        offering=enrollment.offering,
        ref=ref,
        token=token,
        position=services.waitlist_position(enrollment),
        can_cancel=services.can_cancel(enrollment),
        word_sent=absence.dates_with_word_sent(enrollment.id),
        cancels_seat=absence.cancels_seat(enrollment),
        form=ConfirmForm(),
        now=utcnow(),
        who5_open=wellbeing.start_open(enrollment),
    )


def cancel(token: str | None = None, enrollment_id: int | None = None):
    """Cancel a sign-up: a page that asks first, then the POST that does it."""
    enrollment, ref = _load(token, enrollment_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.cancel_enrollment(enrollment.id, now=utcnow())
            flash(_("You are no longer signed up. Thank you for letting us know."), "success")
        except services.InvalidTransition as error:
            flash(participant_message(error), "error")
        return _back(ref)
    if not services.can_cancel(enrollment):
        return _back(ref)
    seats = offering_seats(enrollment.offering, utcnow())
    return render_template(
        "enrollment/cancel.html",
        enrollment=enrollment,
        offering=enrollment.offering,
        ref=ref,
        form=form,
        seat_given_up=services.seat_given_up(enrollment.offering, seats),
    )


def correct(token: str | None = None, enrollment_id: int | None = None):
    """Correct your name, phone and needs (the address is the key to the link: it stays)."""
    enrollment, ref = _load(token, enrollment_id)
    if enrollment.erased_at is not None:
        return _back(ref)
    if request.method == "GET":
        form = CorrectDetailsForm(
            formdata=None, name=enrollment.name, phone=enrollment.phone, needs=enrollment.needs
        )
    else:
        form = CorrectDetailsForm()
    if form.validate_on_submit():
        services.correct_details(
            enrollment.id,
            name=form.name.data,
            phone=form.phone.data,
            needs=form.needs.data,
            now=utcnow(),
        )
        flash(_("Thank you. Your details are corrected."), "success")
        return _back(ref)
    return render_template(
        "enrollment/correct.html",
        enrollment=enrollment,
        offering=enrollment.offering,
        ref=ref,
        form=form,
    ), (400 if form.errors else 200)


def _act(action, success: str, token: str | None, enrollment_id: int | None):
    enrollment, ref = _load(token, enrollment_id)
    if ConfirmForm().validate_on_submit():
        try:
            action(enrollment.id, now=utcnow())
            flash(success, "success")
        except services.InvalidTransition as error:  # OfferExpired included
            flash(participant_message(error), "error")
    return _back(ref)


def accept(token: str | None = None, enrollment_id: int | None = None):
    """Say yes to a seat offered from the waiting list."""
    return _act(services.accept_offer, _("Your seat is confirmed. Welcome!"), token, enrollment_id)


def decline(token: str | None = None, enrollment_id: int | None = None):
    """Say no thanks to an offered seat; it goes to the next person."""
    return _act(
        services.decline_offer,
        _("Thank you for answering. The seat goes to the next person."),
        token,
        enrollment_id,
    )


def confirm(token: str | None = None, enrollment_id: int | None = None):
    """Confirm the address from the mailed link: a held seat becomes the person's for good."""
    return _act(services.confirm_address, _("Thank you. Your seat is yours."), token, enrollment_id)


def leave(token: str | None = None, enrollment_id: int | None = None):
    """Leave the waiting list."""
    return _act(
        services.leave_waitlist, _("You are no longer on the waiting list."), token, enrollment_id
    )


def _send_or_take_back(enrollment: Enrollment, occurrence_id: int, *, undo: bool) -> bool:
    """Send word for one date (or take it back) and flash what happened; False if refused."""
    try:
        if undo:
            absence.take_back_word(enrollment.id, occurrence_id, now=utcnow())
            flash(_("Thank you: we look forward to seeing you after all."), "success")
        elif absence.send_word(enrollment.id, occurrence_id, now=utcnow()).cancelled_seat:
            flash(_("Thank you for letting us know. Your seat goes to the next person."), "success")
        else:
            flash(
                _("Thank you for letting us know. You keep your seat for the other dates."),
                "success",
            )
    except services.NotFound:
        abort(404)
    except (absence.AbsenceNotPossible, services.InvalidTransition):
        flash(
            _("That can no longer be done: the date has begun or your sign-up has changed."),
            "error",
        )
        return False
    return True


def absence_for_date(
    occurrence_id: int, token: str | None = None, enrollment_id: int | None = None
):
    """One tap: "I can't come this time" for one date, or "I can come after all".

    On a single themed meeting sending word gives the seat away for good, so the tap opens
    a page that says so, and only the POST from that page (`confirmed`) cancels.
    """
    enrollment, ref = _load(token, enrollment_id)
    form = ConfirmForm()
    undo = bool(request.form.get("undo"))
    asks_first = absence.cancels_seat(enrollment) and not undo
    confirmed = not asks_first or bool(request.form.get("confirmed"))
    if request.method == "POST" and confirmed and form.validate_on_submit():
        _send_or_take_back(enrollment, occurrence_id, undo=undo)
        return _back(ref)
    if not asks_first:
        return _back(ref)
    occurrence = next((o for o in enrollment.offering.occurrences if o.id == occurrence_id), None)
    if occurrence is None:
        abort(404)
    return render_template(
        "enrollment/absence.html",
        enrollment=enrollment,
        offering=enrollment.offering,
        occurrence=occurrence,
        form=form,
        action=url_for(".absence", occurrence_id=occurrence_id, **ref),
        back=url_for(".manage", **ref),
        word_sent=occurrence_id in absence.dates_with_word_sent(enrollment.id),
        cancels_seat=True,
        started=occurrence.starts_at <= utcnow() or occurrence.is_cancelled,
    )


@bp.route("/absence/<int:occurrence_id>/<token:token>", methods=["GET", "POST"])
def absence_from_mail(occurrence_id: int, token: str):
    """The reminder's link: a page with one button (a GET changes nothing), then the answer."""
    enrollment = enrollment_by_absence_token(token, occurrence_id)
    if enrollment is None:
        abort(404)
    occurrence = next((o for o in enrollment.offering.occurrences if o.id == occurrence_id), None)
    if occurrence is None:
        abort(404)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        _send_or_take_back(enrollment, occurrence_id, undo=bool(request.form.get("undo")))
        return redirect(url_for(".absence_from_mail", occurrence_id=occurrence_id, token=token))
    return render_template(
        "enrollment/absence.html",
        enrollment=enrollment,
        offering=enrollment.offering,
        occurrence=occurrence,
        form=form,
        action=url_for(".absence_from_mail", occurrence_id=occurrence_id, token=token),
        back=None,
        word_sent=occurrence_id in absence.dates_with_word_sent(enrollment.id),
        cancels_seat=absence.cancels_seat(enrollment),
        started=occurrence.starts_at <= utcnow() or occurrence.is_cancelled,
    )


@bp.get("/m/<token:token>")
def short_manage(token: str):
    """The short link in a text message: on to the manage page it stands for."""
    enrollment = enrollment_by_short_token(token)
    if enrollment is None:
        abort(404)
    return redirect(url_for(".manage", token=manage_token(enrollment)))


# One view, two doors: the emailed token, or /my for the signed-in person.
for _name, _view, _methods in (
    ("manage", manage, ["GET"]),
    ("cancel", cancel, ["GET", "POST"]),
    ("correct", correct, ["GET", "POST"]),
    ("accept", accept, ["POST"]),
    ("decline", decline, ["POST"]),
    ("leave", leave, ["POST"]),
    ("confirm", confirm, ["POST"]),
):
    _suffix = "" if _name == "manage" else f"/{_name}"
    bp.add_url_rule(f"/enrollments/<token:token>{_suffix}", _name, _view, methods=_methods)
    bp.add_url_rule(f"/my/enrollments/<int:enrollment_id>{_suffix}", _name, _view, methods=_methods)
bp.add_url_rule(
    "/enrollments/<token:token>/absence/<int:occurrence_id>",
    "absence",
    absence_for_date,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/my/enrollments/<int:enrollment_id>/absence/<int:occurrence_id>",
    "absence",
    absence_for_date,
    methods=["GET", "POST"],
)


# --- my bookings ---------------------------------------------------------------------------


@bp.route("/my", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], key_func=_email_key, scope="sign-in-email")
def my_bookings():
    """Signed in: all your bookings. Otherwise: ask for a one-time sign-in link."""
    email = session.get(PARTICIPANT_SESSION_KEY)
    if email:
        calendar = personal_calendar_settings(email)
        enrollments = services.enrollments_for_email(email)
        now = utcnow()
        active = [e for e in enrollments if e.status in ACTIVE_ENROLLMENT_STATUSES]
        return render_template(
            "enrollment/my.html",
            email=email,
            active=active,
            ended=[e for e in enrollments if e.status not in ACTIVE_ENROLLMENT_STATUSES],
            word_sent={e.id: absence.dates_with_word_sent(e.id) for e in active},
            form=ConfirmForm(),
            now=now,
            calendar=calendar,
            feed_token=personal_calendar_token(email) if calendar is not None else None,
            plan_course_ids={offering.id for offering in courses_with_plans(email)},
            certificates=certificates_in_view(
                enrollments, now=now, min_share=min_share(current_app.config)
            ),
            certificate_percent=current_app.config["CERTIFICATE_MIN_ATTENDANCE_PERCENT"],
        )
    form = EmailForm()
    if form.validate_on_submit():
        request_sign_in_link(form.email.data, language=current_language(), now=utcnow())
        return render_template("enrollment/my_sent.html", email=form.email.data)
    return render_template("enrollment/my_ask.html", form=form), 400 if form.errors else 200


@bp.route("/my/sign-in/<token:token>", methods=["GET", "POST"])
def my_sign_in(token: str):
    """The one-time link: a button first, so mail scanners that open links cannot use it."""
    now = utcnow()
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        email = redeem_sign_in_token(token, now=now)
        if email is not None:
            session.clear()
            session[PARTICIPANT_SESSION_KEY] = email
            return redirect(url_for(".my_bookings"))
    elif find_sign_in_token(token, now=now) is not None:
        return render_template("enrollment/my_sign_in.html", form=form, token=token)
    return render_template("enrollment/my_link_used.html"), 410


@bp.post("/my/sign-out")
def my_sign_out():
    """Forget the signed-in participant in this browser."""
    if ConfirmForm().validate_on_submit():
        session.pop(PARTICIPANT_SESSION_KEY, None)
        flash(_("You are signed out."), "success")
    return redirect(url_for(".my_bookings"))


# --- commands for cron ---------------------------------------------------------------------


@bp.cli.command("send-mail")
@click.option("--limit", default=100, show_default=True, help="Most messages to send.")
def send_mail_command(limit: int) -> None:
    """Send due messages from the outbox (run every minute)."""
    from app.enrollment.standing import write_left_drafts
    from app.sms.outbox import send_pending_sms

    written = write_left_drafts(now=utcnow())
    if written:
        log_job("write-mail-drafts", written=written)
    report = send_pending(now=utcnow(), limit=limit)
    log_job("send-mail", sent=report.sent, retrying=report.retrying, failed=report.failed)
    click.echo(str(report))
    sms = send_pending_sms(now=utcnow(), limit=limit)
    if sms.sent or sms.retrying or sms.failed:
        log_job("send-sms", sent=sms.sent, retrying=sms.retrying, failed=sms.failed)
        click.echo(str(sms))


@bp.cli.command("process-waitlist")
def process_waitlist_command() -> None:
    """Expire unanswered waiting-list offers and offer the seats on, and give the waiting
    list the seats no longer kept for an audience (run every minute)."""
    with write_transaction():
        expired = services.expire_offers(now=utcnow())
        released = services.release_kept_seats(now=utcnow())
    log_job("process-waitlist", expired=expired, released=released)
    click.echo(f"expired offers: {expired}")
    if released:
        click.echo(f"seats no longer kept, given to the waiting list: {released}")


@bp.cli.command("send-reminders")
def send_reminders_command() -> None:
    """Queue reminders for meetings within REMINDER_HOURS (run every few minutes)."""
    with write_transaction():
        queued = queue_reminders(now=utcnow())
    log_job("send-reminders", queued=queued)
    click.echo(f"reminders queued: {queued}")

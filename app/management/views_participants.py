"""Participants of an offering: lists, decisions, attendance, export and mail.

Every view or export of participant data writes an audit entry (who, what, when, offering).
Every change to an enrollment goes through `app.enrollment.services`; the request is the
transaction (`app.transaction`).
"""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.audit import AuditAction, record_audit
from app.database import utcnow
from app.enrollment import services as enrollment_services
from app.enrollment.absence import word_sent_for
from app.forms import ConfirmForm
from app.i18n import local
from app.mail.failures import failure_reason
from app.management import policy, queries, services
from app.management.access import (
    attendance_occurrence,
    enrollment_or_404,
    managed_enrollment,
    managed_offering,
    offering_with_participants,
    staff_only,
    wants_json,
)
from app.management.forms import (
    AddParticipantForm,
    CorrectParticipantForm,
    EmailParticipantsForm,
    HeadcountForm,
    MessageForm,
)
from app.management.messages import error_message
from app.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    AttendanceStatus,
    EnrollmentStatus,
    EnrolmentMode,
    Offering,
)
from app.routing import as_row_id
from app.transaction import writes


def _audit(action: str, offering: Offering, details: str | None = None) -> None:
    record_audit(
        user_id=current_user.id,
        action=action,
        offering_id=offering.id,
        now=utcnow(),
        details=details,
    )


@staff_only
@writes  # the audit entry
def participants(offering_id: int):
    """Confirmed, offered, waiting (in order), requests, and those who left."""
    offering = offering_with_participants(offering_id)
    people = queries.participants(offering.id)
    _audit(AuditAction.VIEW_PARTICIPANTS, offering)
    return render_template(
        "management/participants.html",
        offering=offering,
        people=people,
        counts=queries.seat_counts([offering.id])[offering.id],
        form=MessageForm(),
        undelivered=queries.undelivered_mail(offering.id),
        failure_reason=failure_reason,
        now=utcnow(),
        show_contact=policy.can_see_contact_data(current_user, offering),
        show_needs=policy.can_see_needs(current_user, offering),
    )


# --- decisions ----------------------------------------------------------------------------


def _decide(enrollment_id: int, act, success):
    """Load → check → act, for the buttons on the participants page.

    `success(enrollment)` says what happened, in words the person at the phone can repeat.
    """
    _enrollment, offering = managed_enrollment(enrollment_id)
    offering_id = offering.id
    form = MessageForm()
    if form.validate_on_submit():
        try:
            enrollment = act(enrollment_id, (form.message.data or "").strip() or None)
        except enrollment_services.NotFound:
            abort(404)
        except enrollment_services.EnrollmentError as error:
            flash(error_message(error), "error")
        else:
            flash(success(enrollment), "success")
    return redirect(url_for("management.participants", offering_id=offering_id))


def _told(enrollment, said: str) -> str:
    """Staff tell a person without an email address themselves."""
    if enrollment.email:
        return said + " " + _("They have been told by email.")
    return said + " " + _("There is no email address: phone them to tell them.")


def _approved(enrollment) -> str:
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        return _told(
            enrollment,
            _(
                "The offering is full: the person is on the waiting list, number %(num)d.",
                num=enrollment_services.waitlist_position(enrollment) or 0,
            ),
        )
    return _told(enrollment, _("The person has a seat now."))


@staff_only
def approve(enrollment_id: int):
    """Say yes to a request (a seat if one is free, else the waiting list)."""
    return _decide(
        enrollment_id,
        lambda eid, message: enrollment_services.approve_request(
            eid, now=utcnow(), message=message, by_user_id=current_user.id
        ),
        _approved,
    )


def _confirmed_decision(enrollment_id: int, kind: str, act, success, *, possible: tuple):
    """Declining and cancelling ask first: a GET, or a POST from the list without
    `confirm`, shows what will happen (with the message typed so far); only the confirm
    page's own button acts."""
    enrollment, offering = managed_enrollment(enrollment_id)
    if request.method == "POST" and request.form.get("confirm") == "yes":
        return _decide(enrollment_id, act, success)
    if enrollment.status not in possible:
        flash(error_message(enrollment_services.InvalidTransition(enrollment.status)), "error")
        return redirect(url_for("management.participants", offering_id=offering.id))
    form = MessageForm(formdata=request.form if request.method == "POST" else None)
    return render_template(
        "management/confirm_decision.html",
        offering=offering,
        enrollment=enrollment,
        kind=kind,
        form=form,
    )


@staff_only
def decline(enrollment_id: int):
    """Say no to a request, with an optional message (after a confirmation page)."""
    return _confirmed_decision(
        enrollment_id,
        "decline",
        lambda eid, message: enrollment_services.decline_request(
            eid, now=utcnow(), message=message, by_user_id=current_user.id
        ),
        lambda e: _told(e, _("The request is declined.")),
        possible=(EnrollmentStatus.REQUESTED,),
    )


@staff_only
def cancel_seat(enrollment_id: int):
    """Cancel someone's seat (or place on the waiting list), after a confirmation page; the
    seat goes to the next in line."""
    return _confirmed_decision(
        enrollment_id,
        "cancel",
        lambda eid, message: enrollment_services.cancel_enrollment(
            eid, now=utcnow(), by_staff_id=current_user.id, message=message
        ),
        lambda e: _told(e, _("The sign-up is cancelled.")),
        possible=ACTIVE_ENROLLMENT_STATUSES,
    )


@staff_only
def promote(enrollment_id: int):
    """Give a waiting person a free seat now."""
    return _decide(
        enrollment_id,
        lambda eid, message: enrollment_services.move_from_waitlist(
            eid, now=utcnow(), by_user_id=current_user.id
        ),
        lambda e: _told(e, _("The person has a seat now.")),
    )


@staff_only
def add_participant(offering_id: int):
    """Sign up someone who phoned: a seat if one is free, else the waiting list."""
    offering = managed_offering(offering_id)
    form = AddParticipantForm()
    if request.method == "GET" and offering.audiences:
        form.audience.data = offering.audiences[0]
    if form.validate_on_submit():
        person = enrollment_services.PersonDetails(
            name=form.name.data,
            email=form.email.data or None,
            phone=form.phone.data or None,
            audience=form.audience.data,
            wants_companion=form.wants_companion.data,
            needs=(form.needs.data or "").strip() or None,
            language=form.language.data,
        )
        try:
            enrollment = enrollment_services.add_participant_by_staff(
                offering_id, person, now=utcnow(), staff_user_id=current_user.id
            )
        except enrollment_services.EnrollmentError as error:
            form.email.errors.append(error_message(error))
        else:
            flash(_approved(enrollment), "success")
            return redirect(url_for("management.participants", offering_id=offering_id))
    return render_template("management/add_participant.html", offering=offering, form=form), (
        400 if form.errors else 200
    )


@staff_only
def correct_participant(enrollment_id: int):
    """Correct a person's name, phone, address or needs (the audit log says who did)."""
    enrollment, offering = managed_enrollment(enrollment_id)
    if enrollment.erased_at is not None:
        abort(404)
    if request.method == "GET":
        form = CorrectParticipantForm(
            formdata=None,
            name=enrollment.name,
            phone=enrollment.phone,
            email=enrollment.email,
            needs=enrollment.needs,
        )
    else:
        form = CorrectParticipantForm()
    # Staff correct only what they may see (issue 13, §4): the rest is kept as it is.
    if not policy.can_see_contact_data(current_user, offering):
        del form.phone, form.email
    if not policy.can_see_needs(current_user, offering):
        del form.needs
    if form.validate_on_submit():
        keep = enrollment_services.KEEP
        try:
            enrollment_services.correct_details(
                enrollment.id,
                name=form.name.data,
                phone=form.phone.data if "phone" in form else keep,
                email=(form.email.data or None) if "email" in form else keep,
                needs=form.needs.data if "needs" in form else keep,
                now=utcnow(),
                by_staff_id=current_user.id,
            )
        except enrollment_services.EnrollmentError as error:
            (form.email if "email" in form else form.name).errors.append(error_message(error))
        else:
            flash(_("The details are corrected."), "success")
            anchor = f"#person-{enrollment.id}"
            return redirect(url_for("management.participants", offering_id=offering.id) + anchor)
    return render_template(
        "management/correct_participant.html", offering=offering, enrollment=enrollment, form=form
    ), (400 if form.errors else 200)


@staff_only
def send_mail_again(enrollment_id: int, message_id: int):
    """Send an undelivered mail again, to the address as it is now."""
    enrollment, offering = managed_enrollment(enrollment_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.send_mail_again(enrollment, message_id, now=utcnow())
        except services.ManagementError as error:
            flash(error_message(error), "error")
        else:
            flash(
                _("The mail is on its way again, to %(address)s.", address=enrollment.email),
                "success",
            )
    anchor = f"#person-{enrollment.id}"
    return redirect(url_for("management.participants", offering_id=offering.id) + anchor)


# --- attendance ---------------------------------------------------------------------------


@staff_only
@writes  # the audit entry on GET
def attendance(occurrence_id: int):
    """One tap per person: present, absent or excused. JSON for the script, else a redirect.

    The owning organisation's staff may cover for a sick facilitator; it is logged as cover."""
    occurrence, offering = attendance_occurrence(occurrence_id)
    as_cover = policy.takes_attendance_as_cover(current_user, offering)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        status = request.form.get("status", "")
        enrollment_id = as_row_id(request.form.get("enrollment_id"))
        enrollment = enrollment_or_404(enrollment_id) if enrollment_id is not None else None
        ok = enrollment is not None and status in {s.value for s in AttendanceStatus}
        problem = _("That could not be saved.")
        marked = None
        if ok:
            try:
                marked = services.tap_attendance(
                    enrollment,
                    occurrence,
                    status,
                    recorded_by_id=current_user.id,
                    now=utcnow(),
                    as_cover=as_cover,
                )
            except services.NotAParticipant:
                ok = False
            except services.NotHeldYet as error:
                ok, problem = False, error_message(error)
        if wants_json():
            if not ok:
                return jsonify(ok=False, error=problem), 400
            # The live region says whose mark was saved ("Gemt for Ida Jensen: Til stede"), or
            # that it was taken away (the same button tapped again).
            if marked is None:
                said = _("Mark removed for %(name)s", name=enrollment.name)
            else:
                said = _("Saved for %(name)s", name=enrollment.name)
            return jsonify(ok=True, enrollment_id=enrollment.id, status=marked or "", message=said)
        if not ok:
            flash(problem, "error")
        anchor = f"#person-{enrollment.id}" if enrollment is not None else ""
        return redirect(url_for("management.attendance", occurrence_id=occurrence_id) + anchor)
    people = queries.participants(offering.id)
    _audit(
        AuditAction.VIEW_ATTENDANCE_AS_COVER if as_cover else AuditAction.VIEW_ATTENDANCE,
        offering,
        details=f"occurrence {occurrence.id}",
    )
    held_yet = services.attendance_open(occurrence, utcnow())
    return render_template(
        "management/attendance.html",
        offering=offering,
        occurrence=occurrence,
        people=people.confirmed,
        marks=queries.attendance_map([occurrence.id]),
        word_sent={e.id: e for e in word_sent_for([occurrence.id]).get(occurrence.id, [])},
        form=form,
        # Before the date's day only "excused": who came is not known yet.
        statuses=services.marks_open(occurrence, utcnow()),
        held_yet=held_yet,
        as_cover=as_cover,
        headcount_form=HeadcountForm(headcount=occurrence.headcount)
        if offering.enrolment_mode == EnrolmentMode.DROP_IN and held_yet
        else None,
    )


@staff_only
def headcount(occurrence_id: int):
    """How many came to a drop-in date (nobody signs up, so there is no list to tick)."""
    occurrence, _offering = attendance_occurrence(occurrence_id)
    form = HeadcountForm()
    if form.validate_on_submit():
        try:
            services.set_headcount(occurrence, form.headcount.data, now=utcnow())
        except (services.NotDropIn, services.NotHeldYet) as error:
            flash(error_message(error), "error")
        else:
            flash(_("The headcount is saved."), "success")
    else:
        for message in form.headcount.errors or [_("That could not be saved.")]:
            flash(str(message), "error")
    return redirect(url_for("management.attendance", occurrence_id=occurrence_id))


# --- exports -----------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Text as a spreadsheet shows it; never a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def participants_csv_text(offering: Offering, *, contact: bool, needs: bool) -> str:
    """The participants list as Danish Excel opens it: BOM, semicolons, local times.

    Email and phone only with `contact`, the companion wish and needs only with `needs`
    (issue 13, §4: who sees what is the policy's); the columns are left out, not emptied."""
    people = queries.participants(offering.id)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    columns = [
        (_("Name"), True, lambda e: _cell(e.name)),
        (_("Email"), contact, lambda e: _cell(e.email)),
        (_("Phone"), contact, lambda e: _cell(e.phone)),
        (_("Comes as"), True, lambda e: str(e.audience.label)),
        # A staff-only offering that asks where people work has that column too.
        (_("Workplace"), contact and offering.asks_workplace, lambda e: _cell(e.workplace)),
        (_("Status"), True, lambda e: str(e.status.label)),
        (_("Waiting list position"), True, lambda e: people.waitlist_position(e) or ""),
        (_("Wants a peer companion"), needs, lambda e: _("Yes") if e.wants_companion else _("No")),
        (_("Needs"), needs, lambda e: _cell(e.needs)),
        (_("Signed up at"), True, lambda e: local(e.created_at).strftime("%Y-%m-%d %H:%M")),
    ]
    shown = [(title, value) for title, allowed, value in columns if allowed]
    writer.writerow([title for title, _value in shown])
    for e in people.active:
        writer.writerow([value(e) for _title, value in shown])
    return "\ufeff" + out.getvalue()


@staff_only
@writes  # the audit entry
def participants_csv(offering_id: int):
    """Download the participants list as CSV (UTF-8 with BOM, semicolons)."""
    offering = offering_with_participants(offering_id)
    body = participants_csv_text(
        offering,
        contact=policy.can_see_contact_data(current_user, offering),
        needs=policy.can_see_needs(current_user, offering),
    )
    _audit(AuditAction.EXPORT_CSV, offering)
    filename = f"deltagere-{offering.slug}.csv"
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


@staff_only
@writes  # the audit entry
def attendance_sheet(offering_id: int):
    """A printable attendance sheet: confirmed participants against every date."""
    offering = offering_with_participants(offering_id)
    people = queries.participants(offering.id)
    occurrences = [o for o in offering.occurrences if not o.is_cancelled]
    _audit(AuditAction.PRINT_SHEET, offering)
    return render_template(
        "management/attendance_sheet.html",
        offering=offering,
        people=people.confirmed,
        occurrences=occurrences,
        marks=queries.attendance_map([o.id for o in occurrences]),
    )


@staff_only
def email_participants(offering_id: int):
    """Write to everyone, or to the confirmed, the waiting or those present at a date."""
    offering = managed_offering(offering_id)
    form = EmailParticipantsForm()
    form.occurrence_id.choices = [("", "—")] + [
        (str(o.id), local(o.starts_at).strftime("%Y-%m-%d %H:%M")) for o in offering.occurrences
    ]
    if form.validate_on_submit():
        count = services.email_participants(
            offering,
            audience=form.audience.data,
            occurrence_id=int(form.occurrence_id.data) if form.occurrence_id.data else None,
            subject=form.subject.data,
            body=form.body.data,
            sent_by_id=current_user.id,
            now=utcnow(),
        )
        flash(
            ngettext(
                "Your message is on its way to %(num)d person.",
                "Your message is on its way to %(num)d people.",
                count,
            ),
            "success",
        )
        return redirect(url_for("management.participants", offering_id=offering_id))
    return render_template("management/email_participants.html", offering=offering, form=form), (
        400 if form.errors else 200
    )

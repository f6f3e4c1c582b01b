"""The facilitator's own page, offerings and their dates."""

from __future__ import annotations

import dataclasses

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.calendar.tokens import facilitator_calendar_token
from app.catalogue import offering_page
from app.catalogue.render import markdown_to_html, render_markdown
from app.database import utcnow
from app.enrollment.seats import offering_seats
from app.enrollment.services import CapacityBelowConfirmed
from app.forms import ConfirmForm
from app.i18n import local
from app.management import policy, queries, services
from app.management.access import (
    allowed_if,
    duplicable_offering,
    editable_occurrence,
    editable_offering,
    ensure,
    offering_or_404,
    staff_only,
    viewable_offering,
)
from app.management.forms import (
    CalendarLinkForm,
    CancelForm,
    NoticeForm,
    OccurrenceForm,
    OfferingForm,
    SeriesForm,
    error_summary,
    offering_form_data,
)
from app.management.messages import error_message
from app.management.signup_status import signup_status
from app.models import PUBLIC_OFFERING_STATUSES, Offering
from app.notices import services as notices
from app.notices.models import NoticeFrequency


@staff_only
def dashboard():
    """My dates (the offerings I facilitate) with seat counts, requests to answer, and my
    calendar feed."""
    dashboard = queries.my_dashboard(current_user, now=utcnow())
    return render_template(
        "management/dashboard.html",
        rows=dashboard.rows,
        requests=dashboard.requests,
        calendar_url=_calendar_url(renew=False) if current_user.calendar_token_hash else None,
        calendar_form=CalendarLinkForm(),
        can_create=policy.can_create_offering(current_user),
    )


def _calendar_url(*, renew: bool) -> str:
    token = facilitator_calendar_token(current_user.id, renew=renew)
    return current_app.config["PUBLIC_URL"] + url_for("calendar.facilitator_feed", token=token)


@staff_only
def calendar_link():
    """Create (or renew, killing the old address) my personal calendar feed."""
    form = CalendarLinkForm()
    if form.validate_on_submit():
        facilitator_calendar_token(current_user.id, renew=True)
        flash(
            _("Your calendar address is ready. Add it to your calendar app as a subscription."),
            "success",
        )
    return redirect(url_for("management.dashboard") + "#calendar")


@staff_only
def offerings():
    """Every offering I may see, drafts first."""
    return render_template(
        "management/offerings.html",
        rows=queries.offerings_for(current_user, now=utcnow()),
        can_create=policy.can_create_offering(current_user),
    )


# --- the offering form ----------------------------------------------------------------------


def _prepare(form: OfferingForm, offering: Offering | None) -> None:
    """The form's choices; which organisations and whose staff it offers is the policy's."""
    everyone = queries.all_organisations()
    organisations = policy.organisations_offered(current_user, everyone, offering)
    org_ids = policy.staff_organisation_ids(current_user, everyone, organisations, offering)
    existing = [f.user_id for f in offering.facilitators if f.user_id] if offering else []
    form.set_choices(
        organisations=organisations,
        locations=queries.all_locations(),
        themes=queries.all_themes(),
        staff=queries.staff_of(org_ids, include=existing),
        co_organisers=everyone,
    )
    form.may_name = lambda colleague: policy.may_facilitate(
        current_user,
        colleague,
        organisation_id=form.organisation_id.data,
        co_organiser_ids=list(form.co_organisers.data or []),
        offering=offering,
    )


def _render_form(form: OfferingForm, offering: Offering | None, status: int = 200):
    form.leave_owner_out_of_co_organisers()
    preview = None
    if form.preview.data:
        preview = {
            "da": render_markdown(form.description.data or ""),
            "en": render_markdown(form.description_en.data or "")
            if form.description_en.data
            else None,
        }
    return (
        render_template(
            "management/offering_form.html",
            form=form,
            offering=offering,
            preview=preview,
            errors=error_summary(form),
        ),
        status,
    )


@allowed_if(policy.can_create_offering)
def new_offering():
    """Create an offering; it starts as a draft."""
    form = OfferingForm()
    if request.method == "GET":
        form = OfferingForm(
            formdata=None,
            organisation_id=current_user.organisation_id,
            audiences=["citizen"],
            contact_email=current_user.email,
            facilitators=[{"user_id": str(current_user.id), "role": "peer"}]
            + [{"user_id": "", "role": "professional"}] * 3,
        )
    _prepare(form, None)
    if form.preview.data or not form.validate_on_submit():
        return _render_form(form, None, 400 if form.errors else 200)
    try:
        offering = services.create_offering(
            form.to_details(), created_by_id=current_user.id, now=utcnow()
        )
    except services.SlugTaken as error:
        form.slug.errors.append(error_message(error))
        return _render_form(form, None, 400)
    flash(_("The offering is saved as a draft. Add its dates, then publish it."), "success")
    return redirect(url_for("management.offering", offering_id=offering.id))


@staff_only
def edit_offering(offering_id: int):
    """Edit an offering. Capacity changes go through the sign-up service."""
    offering = editable_offering(offering_id)
    if request.method == "GET":
        form = OfferingForm(formdata=None, data=offering_form_data(offering))
    else:
        form = OfferingForm()
    _prepare(form, offering)
    if form.preview.data or not form.validate_on_submit():
        return _render_form(form, offering, 400 if form.errors else 200)
    details = form.to_details()
    try:
        services.update_offering(offering, details, now=utcnow(), by_user_id=current_user.id)
    except services.SlugTaken as error:
        form.slug.errors.append(error_message(error))
        return _render_form(form, offering, 400)
    except CapacityBelowConfirmed as error:
        form.capacity.errors.append(error_message(error))
        return _render_form(form, offering, 400)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("management.offering", offering_id=offering_id))


@staff_only
def offering(offering_id: int):
    """An offering's staff page: status, dates, seat counts and what one can do."""
    offering = viewable_offering(offering_id)
    can_edit = policy.can_edit_offering(current_user, offering)
    return render_template(
        "management/offering.html",
        offering=offering,
        counts=queries.seat_counts([offering.id])[offering.id],
        can_edit=can_edit,
        can_participants=policy.can_view_participants(current_user, offering),
        can_attendance=policy.can_take_attendance(current_user, offering),
        can_duplicate=policy.can_duplicate_offering(current_user, offering),
        form=ConfirmForm(),
        notice_form=NoticeForm(
            formdata=None, frequency=notices.frequency_for(current_user.id, offering.id).value
        )
        if policy.can_choose_notices(current_user, offering)
        else None,
        now=utcnow(),
        signup=signup_status(offering, utcnow(), can_edit=can_edit),
    )


@staff_only
def set_notices(offering_id: int):
    """A facilitator chooses how to hear about this offering: at once, daily, or never."""
    offering = offering_or_404(offering_id)
    ensure(policy.can_choose_notices(current_user, offering))
    form = NoticeForm()
    if form.validate_on_submit():
        notices.set_frequency(current_user.id, offering.id, form.frequency.data, now=utcnow())
        flash(
            _(
                "Saved. You will hear about this offering: %(how)s",
                how=NoticeFrequency(form.frequency.data).label,
            ),
            "success",
        )
    else:
        flash(_("Choose how you want to hear."), "error")
    return redirect(url_for("management.offering", offering_id=offering_id) + "#notices")


@staff_only
def preview_offering(offering_id: int):
    """The offering's public page exactly as the public will see it once published (a draft
    too), with a line on top saying it is a preview; staff only, never cached or indexed."""
    offering = viewable_offering(offering_id)
    now = utcnow()
    detail = offering_seats(offering, now)
    # A draft has no public page yet: no sign-up form and no calendar feed to link to.
    unpublished = offering.status not in PUBLIC_OFFERING_STATUSES
    page = render_template(
        "catalogue/offering.html",
        detail=detail,
        offering=offering,
        description_html=markdown_to_html(offering),
        now=now,
        preview=True,
        unpublished=unpublished,
    )
    seats = offering_page.seats_shown(detail)
    return offering_page.fill(page, dataclasses.replace(seats, unpublished=unpublished))


@staff_only
def publish(offering_id: int):
    """Put the offering in the public catalogue."""
    offering = editable_offering(offering_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.publish_offering(offering, now=utcnow())
        except (services.NoOccurrences, services.WrongStatus) as error:
            flash(error_message(error), "error")
        else:
            flash(_("The offering is published and can be found in the catalogue."), "success")
            status = signup_status(offering, utcnow(), can_edit=True)  # they just published
            if status.closed:
                flash(_("But nobody can sign up:") + " " + status.reason, "error")
    return redirect(url_for("management.offering", offering_id=offering_id))


@staff_only
def unpublish(offering_id: int):
    """Take the offering out of the catalogue (back to draft); seats are kept."""
    offering = editable_offering(offering_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.unpublish_offering(offering, now=utcnow())
        except services.WrongStatus as error:
            flash(error_message(error), "error")
        else:
            flash(_("The offering is a draft again and no longer in the catalogue."), "success")
    return redirect(url_for("management.offering", offering_id=offering_id))


@staff_only
def duplicate(offering_id: int):
    """A draft copy for next term, without dates and participants."""
    offering = duplicable_offering(offering_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("management.offering", offering_id=offering_id))
    copy = services.duplicate_offering(
        offering,
        created_by_id=current_user.id,
        now=utcnow(),
        keep_join_link=policy.can_see_join_link(current_user, offering),
    )
    flash(
        _("This is the copy. Check it, add its dates, and publish it when it is ready."), "success"
    )
    return redirect(url_for("management.edit_offering", offering_id=copy.id))


@staff_only
def cancel_offering(offering_id: int):
    """Cancel the whole offering; every participant gets the message."""
    offering = editable_offering(offering_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_offering(offering, now=utcnow(), message=form.message.data)
        except services.WrongStatus as error:
            flash(error_message(error), "error")
        else:
            flash(_("The offering is cancelled and every participant has been told."), "success")
        return redirect(url_for("management.offering", offering_id=offering_id))
    return render_template("management/cancel_offering.html", offering=offering, form=form)


# --- occurrences ----------------------------------------------------------------------------


def _today():
    """The first day a new date may be on (Danish time)."""
    return local(utcnow()).date()


@staff_only
def new_occurrence(offering_id: int):
    """Add one date."""
    offering = editable_offering(offering_id)
    form = OccurrenceForm()
    form.set_choices(queries.all_locations())
    form.earliest_day = _today()
    if form.validate_on_submit():
        starts_at, ends_at = form.times()
        added = services.add_occurrences(
            offering,
            [(starts_at, ends_at)],
            now=utcnow(),
            note=form.note.data,
            location_id=int(form.location_id.data) if form.location_id.data else None,
        )
        flash(_("The date is added.") if added else _("That date was already there."), "success")
        return redirect(url_for("management.offering", offering_id=offering_id))
    return render_template(
        "management/occurrence_form.html", offering=offering, form=form, occurrence=None
    ), (400 if form.errors else 200)


@staff_only
def new_series(offering_id: int):
    """Add a weekly or fortnightly series of dates, skipping holidays."""
    offering = editable_offering(offering_id)
    form = SeriesForm()
    form.earliest_day = _today()
    if form.validate_on_submit():
        try:
            times = services.weekly_series(
                weekday=int(form.weekday.data),
                start=form.start.data,
                end=form.end.data,
                first_date=form.first_date.data,
                count=form.count.data,
                until=form.until.data,
                every_weeks=form.every_weeks.data,
                skip=form.skip_dates(),
            )
        except services.BadSeries as error:
            form.first_date.errors.append(error_message(error))
        else:
            if form.preview.data:  # the dates first; nothing is saved until they are added
                existing = {o.starts_at for o in offering.occurrences if not o.is_cancelled}
                dates = [(start, end, start in existing) for start, end in times]
                return render_template(
                    "management/series_form.html", offering=offering, form=form, dates=dates
                )
            added = services.add_occurrences(offering, times, now=utcnow())
            flash(ngettext("%(num)d date added.", "%(num)d dates added.", len(added)), "success")
            return redirect(url_for("management.offering", offering_id=offering_id))
    return render_template(
        "management/series_form.html", offering=offering, form=form, dates=None
    ), (400 if form.errors else 200)


@staff_only
def move_occurrence(occurrence_id: int):
    """Move one date to another time or place; participants and calendars follow."""
    occurrence, offering = editable_occurrence(occurrence_id)
    if occurrence.is_cancelled:
        flash(error_message(services.CancelledDateCannotMove()), "error")
        return redirect(url_for("management.offering", offering_id=offering.id))
    if request.method == "GET":
        form = OccurrenceForm(
            formdata=None,
            day=local(occurrence.starts_at).date(),
            start=local(occurrence.starts_at).time(),
            end=local(occurrence.ends_at).time(),
            location_id=str(occurrence.location_id or ""),
            note=occurrence.note,
        )
    else:
        form = OccurrenceForm()
    form.set_choices(queries.all_locations())
    form.earliest_day = _today()
    form.kept_day = local(occurrence.starts_at).date()  # a past date may keep its day
    if form.validate_on_submit():
        starts_at, ends_at = form.times()
        services.move_occurrence(
            occurrence,
            starts_at=starts_at,
            ends_at=ends_at,
            location_id=int(form.location_id.data) if form.location_id.data else None,
            note=form.note.data,
            message=form.message.data,
            now=utcnow(),
        )
        flash(_("The date is moved and the participants have been told."), "success")
        return redirect(url_for("management.offering", offering_id=offering.id))
    return render_template(
        "management/occurrence_form.html", offering=offering, form=form, occurrence=occurrence
    ), (400 if form.errors else 200)


@staff_only
def cancel_occurrence(occurrence_id: int):
    """Cancel one date; it stays in calendars as cancelled and participants are told."""
    occurrence, offering = editable_occurrence(occurrence_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_occurrence(occurrence, now=utcnow(), message=form.message.data)
        except services.WrongStatus as error:
            flash(error_message(error), "error")
        else:
            flash(_("The date is cancelled and the participants have been told."), "success")
        return redirect(url_for("management.offering", offering_id=offering.id))
    return render_template(
        "management/cancel_occurrence.html", offering=offering, occurrence=occurrence, form=form
    )

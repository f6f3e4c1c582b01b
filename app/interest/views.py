"""The staff side of an interest list, under /manage (see app/management/routes.py).

/manage/offerings/<id>/interest          the list in order, the first talks, "start the group"
/manage/offerings/<id>/interest/start    the dates (one, or a weekly series), then start
/manage/enrollments/<id>/talk            record one person's first talk (status and date)
/manage/enrollments/<id>/seat            after the start: a free seat for someone on the list
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import (
    DateField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.audit import AuditAction, record_audit
from app.database import utcnow
from app.enrollment.services import InvalidTransition, NoSeatFree
from app.extensions import db
from app.forms import STRIP, ConfirmForm, Form
from app.i18n import local
from app.interest import services
from app.management import policy, queries
from app.management.access import allowed_if, managed_offering, staff_only
from app.management.forms import LocalDateField, LocalTimeField, NewDatesForm, WholeNumberField
from app.management.messages import error_message
from app.management.services import BadSeries, BadTimes, weekly_series
from app.models import Enrollment, TalkStatus
from app.transaction import writes


class GroupForm(Form):
    """A suggestion becomes a group: the few facts an interest list needs to open."""

    title = StringField(
        _l("Title"),
        filters=STRIP,
        validators=[DataRequired(_l("Write a title.")), Length(max=200)],
    )
    summary = TextAreaField(
        _l("Summary"),
        filters=STRIP,
        validators=[DataRequired(_l("Write a short summary.")), Length(max=500)],
    )
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=True)
    min_participants = WholeNumberField(
        _l("Starts when this many are ready"),
        default=6,
        validators=[
            InputRequired(_l("Write how many must be ready before the group starts.")),
            NumberRange(min=1, max=10000, message=_l("Write a number from 1 up.")),
        ],
    )
    capacity = WholeNumberField(
        _l("Seats"),
        default=8,
        validators=[
            InputRequired(_l("Write a number from 1 up.")),
            NumberRange(min=1, max=10000, message=_l("Write a number from 1 up.")),
        ],
    )
    submit = SubmitField(_l("Make it a group and invite them"))

    def validate_capacity(self, field) -> None:
        if field.data and self.min_participants.data and field.data < self.min_participants.data:
            raise ValidationError(_l("There must be at least as many seats as people to start."))


class TalkForm(Form):
    talk = SelectField(_l("First talk"), choices=TalkStatus.choices)
    on = DateField(_l("Date of the talk"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() ends the date field's own checks when it is empty, so check here.
        if valid and self.talk.data != TalkStatus.TO_DO and self.on.data is None:
            self.on.errors.append(_l("Choose the date of the talk."))
            valid = False
        return valid


class StartForm(NewDatesForm):
    """The dates: one meeting, or a weekly or fortnightly series from the first date."""

    first_date = LocalDateField(
        _l("First date"), validators=[InputRequired(_l("Choose the first date."))]
    )
    start = LocalTimeField(_l("Starts"), validators=[InputRequired(_l("Choose a start time."))])
    end = LocalTimeField(_l("Ends"), validators=[InputRequired(_l("Choose an end time."))])
    repeat = SelectField(
        _l("How often"),
        coerce=int,
        choices=[(0, _l("Just this date")), (1, _l("Every week")), (2, _l("Every other week"))],
    )
    count = WholeNumberField(
        _l("Number of meetings"),
        description=_l("For a series: how many meetings, the first date included."),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=1, max=104, message=_l("Write a number from 1 to 104.")),
        ],
    )
    submit = SubmitField(_l("Start the group"))

    def validate_first_date(self, field) -> None:
        self.check_not_past(field)

    def validate_end(self, field) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("The end must be after the start."))

    def times(self):
        first: date = self.first_date.data
        count = 1 if not self.repeat.data else (self.count.data or 1)
        return weekly_series(
            weekday=first.weekday(),
            start=self.start.data,
            end=self.end.data,
            first_date=first,
            count=count,
            every_weeks=self.repeat.data or 1,
        )


def _interest_offering(offering_id: int):
    """The offering, if the signed-in user manages its participants (any mode: the page says
    when it is not an interest list)."""
    return managed_offering(offering_id)


def _page(offering, *, start_form=None, status=200):
    people = services.interest_list(offering.id)
    ready = services.ready_count(offering.id)
    record_audit(
        user_id=current_user.id,
        action=AuditAction.VIEW_PARTICIPANTS,
        offering_id=offering.id,
        now=utcnow(),
        details="interest list",
    )
    return render_template(
        "management/interest.html",
        offering=offering,
        people=people,
        ready=ready,
        needed=offering.min_participants or 1,
        forms={
            e.id: TalkForm(
                formdata=None, prefix=f"p{e.id}", data={"talk": e.first_talk, "on": e.first_talk_on}
            )
            for e in people
        },
        start_form=start_form or StartForm(formdata=None),
        today=date.today(),
    ), status


@staff_only
@writes
def interest_list(offering_id: int):
    """The interest list in order, each person's first talk, and "start the group"."""
    return _page(_interest_offering(offering_id))


@staff_only
def start_group(offering_id: int):
    """Set the dates and start: everyone who has had their talk gets a seat and the calendar."""
    offering = _interest_offering(offering_id)
    form = StartForm()
    form.earliest_day = local(utcnow()).date()
    if not form.validate_on_submit():
        return _page(offering, start_form=form, status=400)
    try:
        started = services.start_group(
            offering.id, form.times(), now=utcnow(), by_user_id=current_user.id
        )
    except (BadSeries, BadTimes):
        form.first_date.errors.append(_("These choices give no dates. Check the date and times."))
        return _page(offering, start_form=form, status=400)
    except services.NotEnoughReady as error:
        flash(
            _(
                "%(ready)d of %(needed)d have had their first talk. The group can start when "
                "enough are ready.",
                ready=error.ready,
                needed=error.needed,
            ),
            "error",
        )
        return redirect(url_for("management.interest_list", offering_id=offering.id))
    except services.InterestError:
        flash(_("This group has already started, or is not published."), "error")
        return redirect(url_for("management.interest_list", offering_id=offering.id))
    message = ngettext(
        "The group has started. %(num)d person has a seat and the dates by mail.",
        "The group has started. %(num)d people have a seat and the dates by mail.",
        len(started.seated),
    )
    if started.waiting:
        message += " " + ngettext(
            "%(num)d person is on the waiting list.",
            "%(num)d people are on the waiting list.",
            len(started.waiting),
        )
    flash(message, "success")
    return redirect(url_for("management.interest_list", offering_id=offering.id))


def _offering_of(enrollment_id: int):
    enrollment = db.get_or_404(Enrollment, enrollment_id)
    return enrollment, _interest_offering(enrollment.offering_id)


@staff_only
def record_talk(enrollment_id: int):
    """Record one person's first talk: to do, held, not a fit now, or withdrew; and a date."""
    enrollment, offering = _offering_of(enrollment_id)
    form = TalkForm(prefix=f"p{enrollment.id}")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(f"{enrollment.name}: {error}", "error")
        return redirect(url_for("management.interest_list", offering_id=offering.id))
    try:
        services.record_talk(
            enrollment.id,
            form.talk.data,
            form.on.data,
            now=utcnow(),
            by_user_id=current_user.id,
        )
    except InvalidTransition as error:
        flash(error_message(error), "error")
    else:
        flash(_("Saved for %(name)s.", name=enrollment.name), "success")
    return redirect(
        url_for("management.interest_list", offering_id=offering.id) + f"#person-{enrollment.id}"
    )


@staff_only
def give_seat(enrollment_id: int):
    """After the start: give someone on the list who has had their talk a free seat."""
    enrollment, offering = _offering_of(enrollment_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.give_seat(enrollment.id, now=utcnow(), by_user_id=current_user.id)
        except (NoSeatFree, InvalidTransition) as error:
            flash(error_message(error), "error")
        else:
            flash(_("%(name)s has a seat and the dates by mail.", name=enrollment.name), "success")
    return redirect(url_for("management.interest_list", offering_id=offering.id))


# --- a suggestion becomes a group -------------------------------------------------------------


@allowed_if(policy.can_moderate_suggestions)
def suggestion_to_group(suggestion_id: int):
    """Turn a suggestion into a group in interest mode; everyone who left an address is
    invited by mail to register interest."""
    from app.suggestions.models import GroupSuggestion, SuggestionStatus
    from app.suggestions.services import SuggestionError

    suggestion = db.session.get(GroupSuggestion, suggestion_id)
    if suggestion is None or suggestion.status not in (
        SuggestionStatus.PENDING,
        SuggestionStatus.APPROVED,
    ):
        flash(_("That suggestion is no longer open."), "error")
        return redirect(url_for("suggestions.manage"))
    organisations = [
        o for o in queries.all_organisations() if policy.can_create_offering_for(current_user, o)
    ]
    if request.method == "GET":
        form = GroupForm(
            formdata=None,
            data={
                "title": suggestion.topic,
                "summary": suggestion.reason[:500],
                "organisation_id": current_user.organisation_id,
            },
        )
    else:
        form = GroupForm()
    form.organisation_id.choices = [(o.id, o.name) for o in organisations]
    addresses = sum(1 for s in suggestion.supporters if s.email)
    if request.method == "POST" and form.validate_on_submit():
        try:
            offering = services.group_from_suggestion(
                suggestion.id,
                title=form.title.data,
                summary=form.summary.data,
                organisation_id=form.organisation_id.data,
                capacity=form.capacity.data,
                min_participants=form.min_participants.data,
                user_id=current_user.id,
                now=utcnow(),
            )
        except SuggestionError:
            flash(_("That suggestion is no longer open."), "error")
            return redirect(url_for("suggestions.manage"))
        flash(
            ngettext(
                "The group is published with an interest list; %(num)d person was invited.",
                "The group is published with an interest list; %(num)d people were invited.",
                addresses,
            ),
            "success",
        )
        return redirect(url_for("management.interest_list", offering_id=offering.id))
    return render_template(
        "management/suggestion_to_group.html",
        suggestion=suggestion,
        form=form,
        addresses=addresses,
    ), (400 if form.errors else 200)

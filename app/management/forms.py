"""The staff area's forms: WTForms through Flask-WTF (CSRF), validated on the server.

Labels and messages are English msgids translated by Flask-Babel (Danish by default).
Forms only parse and validate; turning a form into a service call happens in `to_details`.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date, datetime, time

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.dates import BadDate, BadTime, DateProblem, parse_form_date, parse_form_time, problem_text
from app.enrollment.forms import NAME_MAX_LENGTH, phone_field, plain_name
from app.forms import STRIP, EmailAddress, strip
from app.forms import Form as FlaskForm
from app.i18n import local, local_to_utc
from app.management.services import (
    FacilitatorDetails,
    LocationDetails,
    OfferingDetails,
)
from app.models import (
    Audience,
    EnrolmentMode,
    FacilitatorRole,
    OfferingKind,
    UserRole,
)
from app.notices.models import NoticeFrequency
from app.passwords import MIN_PASSWORD_LENGTH, is_too_common
from app.routing import SLUG

SLUG_PATTERN = rf"^{SLUG}$"
FACILITATOR_ROWS = 4  # enough for a course's peer + professional + two guests, without JS


class LocalDateField(DateField):
    """A date as the browser's date picker sends it (2026-12-24) or as Danish staff type it
    (24-12-2026, 24.12.2026); shown back in ISO, which the date picker reads."""

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not (valuelist[0] or "").strip():
            return
        try:
            self.data = parse_form_date(valuelist[0])
        except BadDate as error:
            raise ValueError(date_message(error.problem)) from None

    def _value(self) -> str:
        if self.data:
            return self.data.isoformat()
        return " ".join(self.raw_data) if self.raw_data else ""


class LocalTimeField(TimeField):
    """A time as the browser's time picker sends it (10:00) or as Danish staff type it
    (10.00, 10, 1000, kl. 10); shown back as 10:00, which the time picker reads, or as it
    was typed when it could not be read."""

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not (valuelist[0] or "").strip():
            return
        try:
            self.data = parse_form_time(valuelist[0])
        except BadTime:
            raise ValueError(str(_l("Write the time as 10.00 or 10:00."))) from None

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()  # one message: how to write it

    def _value(self) -> str:
        if self.data:
            return self.data.strftime("%H:%M")
        return " ".join(self.raw_data) if self.raw_data else ""


class WholeNumberField(IntegerField):
    """A number field that says one thing when what was typed is no whole number, not that
    and its range too (two messages in one breath). Empty is left to Optional/InputRequired."""

    def pre_validate(self, form) -> None:
        typed = (self.raw_data or [""])[0]
        if self.process_errors and isinstance(typed, str) and typed.strip():
            raise StopValidation()


class NewDatesForm(FlaskForm):
    """A form that sets a meeting's date: not before today (`earliest_day`, the view sets
    it from the clock), except the day a date already has (`kept_day`), so a past date can
    still get a note or another room without moving."""

    earliest_day: date | None = None
    kept_day: date | None = None

    def check_not_past(self, field: Field) -> None:
        day = field.data
        if day is None or self.earliest_day is None or day >= self.earliest_day:
            return
        if day == self.kept_day:
            return
        raise ValidationError(
            _l(
                "%(day)s has passed. Choose today or a later date.",
                day=format_date(day, "long"),
            )
        )


def date_message(problem: DateProblem) -> str:
    if problem == DateProblem.OUT_OF_RANGE:
        return problem_text(problem)
    return str(_l("Write the date as 24-12-2026 or 2026-12-24."))


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (audiences, themes, co-organisers)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def kind_choices():
    return OfferingKind.choices()


def audience_choices():
    return Audience.choices()


def facilitator_role_choices():
    return FacilitatorRole.choices()


def enrolment_mode_choices():
    return EnrolmentMode.choices()


def role_choices():
    # The most common account first.
    return UserRole.choices(
        [
            UserRole.PEER_WORKER,
            UserRole.VOLUNTEER_STAFF,
            UserRole.VOLUNTEER_LEADER,
            UserRole.COORDINATOR,
            UserRole.ADMIN,
        ]
    )


ROLE_HELP = _l(
    "A volunteer group leader sees only the groups they are named on as facilitator: "
    "the participants, attendance and mail to them."
)


def _leader_needs_organisation(form, field) -> None:
    """A volunteer leader's account belongs to the organisation whose groups they lead."""
    if form.role.data == UserRole.VOLUNTEER_LEADER.value and not field.data:
        raise ValidationError(
            _l("Choose the organisation whose groups the volunteer group leader leads.")
        )


def weekday_choices():
    names = [
        _l("Monday"),
        _l("Tuesday"),
        _l("Wednesday"),
        _l("Thursday"),
        _l("Friday"),
        _l("Saturday"),
        _l("Sunday"),
    ]
    return [(str(i), name) for i, name in enumerate(names)]


# --- accounts ------------------------------------------------------------------------------


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Write your email."))], filters=STRIP
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Write your password."))])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Write your email.")),
            EmailAddress(_l("Write a valid email address.")),
        ],
        filters=STRIP,
    )
    submit = SubmitField(_l("Send me a link"))


def _not_common(form, field) -> None:
    """NIST SP 800-63B: refuse the passwords every attacker tries first."""
    email = getattr(getattr(form, "email", None), "data", None)
    if field.data and is_too_common(field.data, email=email):
        raise ValidationError(
            _l("That password is one of the most common ones. Please choose another.")
        )


def _password_validators(required: bool = True):
    return [
        (DataRequired(_l("Choose a password.")) if required else Optional()),
        Length(
            min=MIN_PASSWORD_LENGTH,
            max=200,
            message=_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
        ),
        _not_common,
    ]


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=_password_validators())
    confirm = PasswordField(
        _l("The same password again"),
        validators=[EqualTo("password", _l("The two passwords are not the same."))],
    )
    submit = SubmitField(_l("Save my new password"))


class AccountForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Write a name.")), Length(max=200)], filters=STRIP
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Write an email address.")),
            EmailAddress(_l("Write a valid email address.")),
            Length(max=254),
        ],
        filters=STRIP,
    )
    role = SelectField(_l("Role"), choices=role_choices, description=ROLE_HELP)
    organisation_id = SelectField(
        _l("Organisation"),
        coerce=int,
        validate_choice=True,
        validators=[_leader_needs_organisation],
    )
    language = SelectField(
        _l("Language of the person's mail"),
        choices=[("da", _l("Danish")), ("en", _l("English"))],
        default="da",
    )
    password = PasswordField(_l("Password (optional)"), validators=_password_validators(False))
    submit = SubmitField(_l("Create account"))


class EditAccountForm(FlaskForm):
    """An existing account: the email is its identity (and the OIDC match), so it stays."""

    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Write a name.")), Length(max=200)], filters=STRIP
    )
    role = SelectField(_l("Role"), choices=role_choices, description=ROLE_HELP)
    organisation_id = SelectField(
        _l("Organisation"),
        coerce=int,
        validate_choice=True,
        validators=[_leader_needs_organisation],
    )
    active = BooleanField(_l("Active: may sign in"))
    language = SelectField(
        _l("Language of the person's mail"),
        choices=[("da", _l("Danish")), ("en", _l("English"))],
        default="da",
    )
    submit = SubmitField(_l("Save"))


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Write a name.")), Length(max=200)], filters=STRIP
    )
    name_en = StringField(
        _l("Name in English"), validators=[Optional(), Length(max=200)], filters=STRIP
    )
    slug = StringField(
        _l("Short name for links"),
        validators=[
            DataRequired(_l("Write a short name, e.g. frivilligcenter.")),
            Length(max=80),
            Regexp(SLUG_PATTERN, message=_l("Use only a–z, 0–9 and hyphens.")),
        ],
        filters=STRIP,
    )
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Write a full web address, starting with https://.")),
        ],
        filters=STRIP,
    )
    email = EmailField(
        _l("Email"),
        validators=[Optional(), EmailAddress(_l("Write a valid email address."))],
        filters=STRIP,
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)], filters=STRIP)
    submit = SubmitField(_l("Create organisation"))


class PlaceForm(FlaskForm):
    """A place and its access facts (field names are LocationDetails' own)."""

    name = StringField(
        _l("Name of the place"),
        validators=[DataRequired(_l("Write the name of the place.")), Length(max=200)],
        filters=STRIP,
    )
    address = StringField(
        _l("Street address"),
        validators=[DataRequired(_l("Write the street address.")), Length(max=300)],
        filters=STRIP,
    )
    postcode = StringField(_l("Postcode"), validators=[Length(max=10)], filters=STRIP)
    city = StringField(_l("Town"), validators=[Length(max=100)], filters=STRIP)
    room = StringField(_l("Room"), validators=[Length(max=120)], filters=STRIP)
    step_free = BooleanField(_l("Step-free access"))
    hearing_loop = BooleanField(_l("Hearing loop"))
    accessible_toilet = BooleanField(_l("Accessible toilet"))
    accessibility_notes = TextAreaField(
        _l("More about access"), validators=[Length(max=2000)], filters=STRIP
    )
    accessibility_notes_en = TextAreaField(
        _l("More about access, in English"), validators=[Length(max=2000)], filters=STRIP
    )
    directions = TextAreaField(
        _l("How to find it"),
        description=_l("For example which door, which floor, the nearest stop."),
        validators=[Length(max=2000)],
        filters=STRIP,
    )
    directions_en = TextAreaField(
        _l("How to find it, in English"),
        description=_l("Optional. English pages show the Danish text without it."),
        validators=[Length(max=2000)],
        filters=STRIP,
    )
    submit = SubmitField(_l("Save"))

    def to_details(self) -> LocationDetails:
        return LocationDetails(
            **{
                name: getattr(self, name).data
                for name in LocationDetails.__dataclass_fields__
                if name in self._fields
            }
        )


class CalendarLinkForm(FlaskForm):
    submit = SubmitField(_l("Create a new calendar link"))


# --- offerings -----------------------------------------------------------------------------


class FacilitatorForm(Form):
    """One facilitator row: a colleague with an account, or a guest by name."""

    user_id = SelectField(_l("Colleague"), coerce=str, default="")
    guest_name = StringField(
        _l("Or a guest's name"), validators=[Optional(), Length(max=200)], filters=STRIP
    )
    role = SelectField(_l("Role"), choices=facilitator_role_choices, default="peer")


def _local_datetime(day: date | None, at) -> datetime | None:
    if day is None:
        return None
    return local_to_utc(day, at or time(0, 0))


class OfferingForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Write a title.")), Length(max=200)], filters=STRIP
    )
    title_en = StringField(
        _l("Title in English"), validators=[Optional(), Length(max=200)], filters=STRIP
    )
    slug = StringField(
        _l("Web address"),
        description=_l("Made from the title if you leave it empty. Changing it breaks old links."),
        validators=[
            Optional(),
            Length(max=120),
            Regexp(SLUG_PATTERN, message=_l("Use only a–z, 0–9 and hyphens.")),
        ],
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
    )
    kind = SelectField(_l("Type"), choices=kind_choices)
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=True)
    summary = TextAreaField(
        _l("Summary"),
        description=_l("One or two sentences for the catalogue."),
        validators=[DataRequired(_l("Write a short summary.")), Length(max=500)],
        filters=STRIP,
    )
    summary_en = TextAreaField(
        _l("Summary in English"), validators=[Optional(), Length(max=500)], filters=STRIP
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("Markdown: **bold**, *italics*, lists with -, headings with ##."),
        validators=[Length(max=20000)],
    )
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=20000)])
    audiences = MultiCheckboxField(_l("For whom"), choices=audience_choices)
    themes = MultiCheckboxField(_l("Themes"), coerce=int)
    facilitators = FieldList(
        FormField(FacilitatorForm), min_entries=FACILITATOR_ROWS, max_entries=12
    )
    location_choice = SelectField(_l("Place"), coerce=str, default="")
    loc_name = StringField(_l("Name of the place"), validators=[Length(max=200)], filters=STRIP)
    loc_address = StringField(_l("Street address"), validators=[Length(max=300)], filters=STRIP)
    loc_postcode = StringField(_l("Postcode"), validators=[Length(max=10)], filters=STRIP)
    loc_city = StringField(_l("Town"), validators=[Length(max=100)], filters=STRIP)
    loc_room = StringField(_l("Room"), validators=[Length(max=120)], filters=STRIP)
    loc_step_free = BooleanField(_l("Step-free access"))
    loc_accessible_toilet = BooleanField(_l("Accessible toilet"))
    loc_hearing_loop = BooleanField(_l("Hearing loop"))
    loc_accessibility_notes = TextAreaField(_l("More about access"), validators=[Length(max=2000)])
    loc_directions = TextAreaField(
        _l("How to find it"),
        description=_l("For example which door, which floor, the nearest stop."),
        validators=[Length(max=2000)],
        filters=STRIP,
    )
    loc_directions_en = TextAreaField(
        _l("How to find it, in English"),
        description=_l("Optional. English pages show the Danish text without it."),
        validators=[Length(max=2000)],
        filters=STRIP,
    )
    is_online = BooleanField(_l("Online"))
    online_join_url = URLField(
        _l("Join link"),
        description=_l("Only confirmed participants see it."),
        validators=[
            Optional(),
            URL(message=_l("Write a full web address, starting with https://.")),
            Length(max=500),
        ],
        filters=STRIP,
    )
    capacity = WholeNumberField(
        _l("Seats"),
        description=_l("Leave empty for no limit."),
        validators=[
            Optional(),
            NumberRange(min=1, max=10000, message=_l("Write a number from 1 up.")),
        ],
    )
    enrolment_mode = SelectField(_l("Sign-up"), choices=enrolment_mode_choices)
    min_participants = WholeNumberField(
        _l("Starts when this many are ready"),
        description=_l(
            "For an interest list: how many must have had their first talk before the group "
            "can start."
        ),
        validators=[
            Optional(),
            NumberRange(min=1, max=10000, message=_l("Write a number from 1 up.")),
        ],
    )
    signup_opens_date = LocalDateField(_l("Sign-up opens (date)"), validators=[Optional()])
    signup_opens_time = LocalTimeField(_l("Sign-up opens (time)"), validators=[Optional()])
    signup_closes_date = LocalDateField(_l("Sign-up closes (date)"), validators=[Optional()])
    signup_closes_time = LocalTimeField(_l("Sign-up closes (time)"), validators=[Optional()])
    teaching_language = SelectField(
        _l("Language of teaching"), choices=[("da", _l("Danish")), ("en", _l("English"))]
    )
    accessibility_notes = TextAreaField(_l("Accessibility notes"), validators=[Length(max=2000)])
    accessibility_notes_en = TextAreaField(
        _l("Accessibility notes in English"), validators=[Length(max=2000)]
    )
    contact_email = EmailField(
        _l("Contact email"),
        validators=[Optional(), EmailAddress(_l("Write a valid email address.")), Length(max=254)],
        filters=STRIP,
    )
    co_organisers = MultiCheckboxField(_l("In cooperation with"), coerce=int)
    retention_days = WholeNumberField(
        _l("Erase participants' data sooner (days)"),
        description=_l(
            "Days after the last date. Leave empty to follow the privacy notice; a time of "
            "your own can only be shorter."
        ),
        validators=[Optional(), NumberRange(min=0, message=_l("Write a number from 0 up."))],
    )
    who5_enabled = BooleanField(
        _l("Ask about wellbeing (WHO-5) at the start and in the evaluation"),
        description=_l(
            "Optional for participants. You see only averages, and only from five pairs of "
            "answers on."
        ),
    )
    asks_workplace = BooleanField(_l("For staff only: the sign-up form asks where they work"))
    preview = SubmitField(_l("Preview the description"))
    submit = SubmitField(_l("Save"))

    def set_choices(self, *, organisations, locations, themes, staff, co_organisers) -> None:
        self.organisation_id.choices = [(o.id, o.name) for o in organisations]
        self.themes.choices = [(t.id, t.name) for t in themes]
        self.co_organisers.choices = [(o.id, o.name) for o in co_organisers]
        self.location_choice.choices = (
            [("", _l("No fixed place"))]
            + [(str(loc.id), loc.place_text) for loc in locations]
            + [("new", _l("A new place (fill in below)"))]
        )
        # Colleagues from every organisation that may own or co-organise it, so each is named
        # with their organisation; `may_name` (set by the view, from the policy) then holds
        # each choice to the owner and co-organisers actually chosen.
        self._staff = {str(u.id): u for u in staff}
        people = [("", _l("— nobody / a guest —"))] + [
            (str(u.id), f"{u.name} ({u.organisation.name})" if u.organisation else u.name)
            for u in staff
        ]
        for row in self.facilitators:
            row.form.user_id.choices = people

    may_name = None  # colleague -> bool: may they facilitate this offering? (the view sets it)

    co_organiser_hidden: int | None = None  # the owner's box, kept in the list but hidden

    def leave_owner_out_of_co_organisers(self) -> None:
        """The owner is not its own partner: not offered, unless ticked (then it shows with
        its message, so the person sees what to untick).

        Where the owner can be changed on the form (an admin), every organisation stays in
        the list and the owner's box is hidden; manage.js moves that to whichever owner is
        picked. Without a script, a ticked owner is refused with its message."""
        owner = self.organisation_id.data
        ticked = set(self.co_organisers.data or [])
        if len(self.organisation_id.choices or []) > 1:
            if owner is None:  # a new form: the browser shows the first one chosen
                owner = self.organisation_id.choices[0][0]
            self.co_organiser_hidden = None if owner in ticked else owner
            return
        self.co_organisers.choices = [
            (org_id, name)
            for org_id, name in self.co_organisers.choices
            if org_id != owner or org_id in ticked
        ]

    def validate_co_organisers(self, field: Field) -> None:
        owner = self.organisation_id.data
        if owner is not None and owner in (field.data or []):
            name = dict(field.choices or []).get(owner, "")
            raise ValidationError(
                _l(
                    "%(name)s owns the offering, so it cannot also be a co-organiser. "
                    "Untick it under “In cooperation with”.",
                    name=name,
                )
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() ends the threshold's own checks when it is empty, so check here.
        if self.enrolment_mode.data == EnrolmentMode.INTEREST and not self.min_participants.data:
            self.min_participants.errors = [
                *self.min_participants.errors,
                _l("Write how many must be ready before the group starts."),
            ]
            valid = False
        return self._check_facilitators() and valid

    def _check_facilitators(self) -> bool:
        """A colleague named facilitator works for the owner or one of the co-organisers."""
        if self.may_name is None:
            return True
        refused = False
        for row in self.facilitators:
            colleague = self._staff.get(row.form.user_id.data or "")
            if colleague is None or self.may_name(colleague):
                continue
            refused = True
            row.form.user_id.errors = [
                *row.form.user_id.errors,
                _l(
                    "%(name)s works for %(organisation)s, which neither owns nor co-organises "
                    "this offering. Tick it under “In cooperation with”, or choose someone else.",
                    name=colleague.name,
                    organisation=colleague.organisation.name if colleague.organisation else "–",
                ),
            ]
        if refused:
            self.facilitators.errors = [row.errors for row in self.facilitators]
        return not refused

    def validate_audiences(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one group the offering is for."))

    def validate_asks_workplace(self, field: Field) -> None:
        if field.data and list(self.audiences.data or []) != ["staff"]:
            raise ValidationError(
                _l("Only an offering for staff members alone can ask where people work.")
            )

    def validate_loc_name(self, field: Field) -> None:
        if self.location_choice.data == "new" and not field.data:
            raise ValidationError(_l("Write the name of the new place."))

    def validate_loc_address(self, field: Field) -> None:
        if self.location_choice.data == "new" and not field.data:
            raise ValidationError(_l("Write the address of the new place."))

    def validate_retention_days(self, field: Field) -> None:
        longest = int(current_app.config["RETENTION_DAYS"])
        if field.data is not None and field.data > longest:
            raise ValidationError(
                _l(
                    "At most %(days)s days: the privacy notice promises that. An offering may "
                    "only erase sooner.",
                    days=longest,
                )
            )

    def validate_signup_closes_date(self, field: Field) -> None:
        opens = _local_datetime(self.signup_opens_date.data, self.signup_opens_time.data)
        closes = _local_datetime(field.data, self.signup_closes_time.data)
        if opens and closes and closes <= opens:
            raise ValidationError(_l("Sign-up must close after it opens."))

    def to_details(self) -> OfferingDetails:
        location_id = None
        new_location = None
        if self.location_choice.data == "new":
            new_location = LocationDetails(
                name=self.loc_name.data,
                address=self.loc_address.data,
                postcode=self.loc_postcode.data,
                city=self.loc_city.data,
                room=self.loc_room.data,
                step_free=self.loc_step_free.data,
                accessible_toilet=self.loc_accessible_toilet.data,
                hearing_loop=self.loc_hearing_loop.data,
                accessibility_notes=self.loc_accessibility_notes.data,
                directions=self.loc_directions.data,
                directions_en=self.loc_directions_en.data,
            )
        elif self.location_choice.data:
            location_id = int(self.location_choice.data)
        facilitators = []
        for row in self.facilitators:
            user_id = row.form.user_id.data
            guest = row.form.guest_name.data
            if user_id:
                facilitators.append(
                    FacilitatorDetails(role=row.form.role.data, user_id=int(user_id))
                )
            elif guest:
                facilitators.append(FacilitatorDetails(role=row.form.role.data, guest_name=guest))
        closes = None
        if self.signup_closes_date.data:
            closes = local_to_utc(
                self.signup_closes_date.data, self.signup_closes_time.data or time(23, 59)
            )
        # Every detail whose form field has its name is read as it is; the rest by name.
        same_name = {name: getattr(self, name).data for name in _SAME_NAME}
        return OfferingDetails(
            **same_name,
            slug=self.slug.data or None,
            description=self.description.data or "",
            audiences=list(self.audiences.data or []),
            theme_ids=list(self.themes.data or []),
            co_organiser_ids=list(self.co_organisers.data or []),
            facilitators=facilitators,
            location_id=location_id,
            new_location=new_location,
            signup_opens_at=_local_datetime(
                self.signup_opens_date.data, self.signup_opens_time.data
            ),
            signup_closes_at=closes,
        )


# The details the form enters in a way of its own (other names, date and time apart, a place
# chosen or typed in); every other detail has a form field of its own name and value.
_ENTERED_APART = {
    "slug",
    "description",
    "audiences",
    "signup_opens_at",
    "signup_closes_at",
    "location_id",
    "new_location",
    "theme_ids",
    "co_organiser_ids",
    "facilitators",
}
_SAME_NAME = tuple(f.name for f in fields(OfferingDetails) if f.name not in _ENTERED_APART)


def offering_form_data(offering) -> dict:
    """The form's starting values for an existing offering (times shown in local time)."""
    details = OfferingDetails.from_offering(offering)
    data = {name: getattr(details, name) for name in _SAME_NAME}
    data.update(
        slug=details.slug,
        description=details.description,
        audiences=details.audiences,
        themes=details.theme_ids,
        co_organisers=[i for i in details.co_organiser_ids if i != details.organisation_id],
        location_choice=str(details.location_id) if details.location_id else "",
        facilitators=[
            {
                "user_id": str(f.user_id) if f.user_id else "",
                "guest_name": f.guest_name or "",
                "role": f.role,
            }
            for f in details.facilitators
        ],
    )
    for name in ("opens", "closes"):
        value = getattr(details, f"signup_{name}_at")
        if value is not None:
            data[f"signup_{name}_date"] = local(value).date()
            data[f"signup_{name}_time"] = local(value).time().replace(second=0, microsecond=0)
    while len(data["facilitators"]) < FACILITATOR_ROWS:
        data["facilitators"].append({"user_id": "", "guest_name": "", "role": "peer"})
    return data


def error_summary(form) -> list[tuple[str, str, str]]:
    """(field id, label, message) of every error, in the form's order, for the list of
    links at the top of a long form. The first erroneous field gets `autofocus`, so focus
    lands on it when the page comes back (without JavaScript too)."""
    found: list[tuple[Field, str]] = []

    def walk(fields_) -> None:
        for f in fields_:
            if isinstance(f, FieldList):
                walk(f.entries)
            elif isinstance(f, FormField):
                walk(f.form)
            else:
                found.extend((f, str(message)) for message in f.errors)

    walk(form)
    if found:
        first = found[0][0]
        first.render_kw = {**(first.render_kw or {}), "autofocus": True}
    return [
        (
            f"{f.id}-0" if isinstance(f, MultiCheckboxField) and f.choices else f.id,
            str(f.label.text),
            message,
        )
        for f, message in found
    ]


# --- occurrences ---------------------------------------------------------------------------


class OccurrenceForm(NewDatesForm):
    """One date: add a new one, or move an existing one."""

    day = LocalDateField(_l("Date"), validators=[InputRequired(_l("Choose a date."))])
    start = LocalTimeField(_l("Starts"), validators=[InputRequired(_l("Choose a start time."))])
    end = LocalTimeField(_l("Ends"), validators=[InputRequired(_l("Choose an end time."))])
    location_id = SelectField(_l("Place, if not the usual one"), coerce=str, default="")
    note = StringField(
        _l("Note for this date"), validators=[Optional(), Length(max=300)], filters=STRIP
    )
    message = TextAreaField(
        _l("Message to the participants (optional)"), validators=[Optional(), Length(max=4000)]
    )
    submit = SubmitField(_l("Save"))

    def set_choices(self, locations) -> None:
        self.location_id.choices = [("", _l("The offering's usual place"))] + [
            (str(loc.id), loc.place_text) for loc in locations
        ]

    def validate_day(self, field: Field) -> None:
        self.check_not_past(field)

    def validate_end(self, field: Field) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("The end must be after the start."))

    def times(self) -> tuple[datetime, datetime]:
        return local_to_utc(self.day.data, self.start.data), local_to_utc(
            self.day.data, self.end.data
        )


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SeriesForm(NewDatesForm):
    """A weekly or fortnightly series of dates."""

    weekday = SelectField(_l("Weekday"), choices=weekday_choices)
    start = LocalTimeField(_l("Starts"), validators=[InputRequired(_l("Choose a start time."))])
    end = LocalTimeField(_l("Ends"), validators=[InputRequired(_l("Choose an end time."))])
    every_weeks = SelectField(
        _l("How often"), coerce=int, choices=[(1, _l("Every week")), (2, _l("Every other week"))]
    )
    first_date = LocalDateField(
        _l("From"), validators=[InputRequired(_l("Choose the first date."))]
    )
    count = WholeNumberField(
        _l("Number of meetings"),
        validators=[
            Optional(),
            NumberRange(min=1, max=104, message=_l("Write a number from 1 to 104.")),
        ],
    )
    until = LocalDateField(_l("Or until (date)"), validators=[Optional()])
    skip = TextAreaField(
        _l("Skip these dates"),
        description=_l("E.g. holidays. One date per line, as 24-12-2026 or 2026-12-24."),
        validators=[Optional(), Length(max=2000)],
    )
    preview = SubmitField(_l("Show the dates"))
    submit = SubmitField(_l("Add the dates"))

    def validate_end(self, field: Field) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() ends the count field's own checks when it is empty, so check here.
        if self.count.data is None and self.until.data is None:
            self.count.errors.append(_l("Write how many meetings, or choose an end date."))
            valid = False
        elif self.count.data is not None and self.until.data is not None:
            self.count.errors.append(_l("Write a number of meetings or an end date, not both."))
            valid = False
        return valid

    def validate_first_date(self, field: Field) -> None:
        self.check_not_past(field)

    def validate_until(self, field: Field) -> None:
        if field.data and self.first_date.data and field.data < self.first_date.data:
            raise ValidationError(_l("The end date must be on or after the first date."))

    def validate_skip(self, field: Field) -> None:
        try:
            self.skip_dates()
        except BadDate as error:
            raise ValidationError(
                _l("Write each date as 24-12-2026 or 2026-12-24.")
                if error.problem == DateProblem.MALFORMED
                else date_message(error.problem)
            ) from error

    def skip_dates(self) -> set[date]:
        words = re.split(r"[\s,;]+", (self.skip.data or "").strip())
        return {parse_form_date(w) for w in words if w}


class CancelForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the participants"), validators=[Optional(), Length(max=4000)]
    )
    submit = SubmitField(_l("Cancel it and tell the participants"))


# --- participants --------------------------------------------------------------------------


class MessageForm(FlaskForm):
    """Approve, decline or cancel, with an optional message to the person."""

    message = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=4000)])


class NoticeForm(FlaskForm):
    """How a facilitator hears about requests, cancellations, offers and undelivered mail."""

    frequency = RadioField(
        _l("Tell me by email"),
        choices=NoticeFrequency.choices(),
        validators=[InputRequired(_l("Choose how you want to hear."))],
    )
    submit = SubmitField(_l("Save"))


class HeadcountForm(FlaskForm):
    """How many came to a drop-in meeting (nobody signs up for those)."""

    headcount = WholeNumberField(
        _l("How many came"),
        validators=[
            InputRequired(_l("Write how many came.")),
            NumberRange(min=0, max=10000, message=_l("Write a number from 0 up.")),
        ],
    )
    submit = SubmitField(_l("Save the headcount"))


class AddParticipantForm(FlaskForm):
    """Someone who phoned: a name and a phone number are enough; email is optional."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Write a name.")), Length(max=NAME_MAX_LENGTH), plain_name],
        filters=STRIP,
    )
    phone = phone_field(_l("Phone"))
    email = EmailField(
        _l("Email (optional)"),
        description=_l("Without an email address no mails are sent: you phone the person."),
        validators=[
            Optional(),
            EmailAddress(_l("Write a valid email address.")),
            Length(max=254),
        ],
        filters=STRIP,
    )
    audience = SelectField(_l("Comes as"), choices=audience_choices)
    wants_companion = BooleanField(_l("Would like a peer companion"))
    needs = TextAreaField(_l("Needs (optional)"), validators=[Optional(), Length(max=2000)])
    language = SelectField(
        _l("Mail language"), choices=[("da", _l("Danish")), ("en", _l("English"))]
    )
    submit = SubmitField(_l("Add participant"))

    def validate(self, extra_validators=None) -> bool:
        return self._phone_or_email(super().validate(extra_validators))

    def _phone_or_email(self, valid: bool) -> bool:
        # Optional() ends the phone field's own checks when it is empty, so check here.
        if "phone" not in self or "email" not in self:
            return valid  # someone who may not see contact data corrects the name only
        if valid and not self.phone.data and not self.email.data:
            self.phone.errors.append(_l("Write a phone number, or an email address."))
            valid = False
        return valid


class CorrectParticipantForm(AddParticipantForm):
    """Staff correct a person's name, phone, address and needs (logged)."""

    audience = None
    wants_companion = None
    language = None
    submit = SubmitField(_l("Save the corrections"))


class EmailParticipantsForm(FlaskForm):
    audience = SelectField(
        _l("To"),
        choices=[
            ("all", _l("Everyone signed up or waiting")),
            ("confirmed", _l("Only confirmed participants")),
            ("waitlisted", _l("Only those on the waiting list")),
            ("interested", _l("Only those on the interest list")),
            ("present", _l("Those present at a date")),
        ],
    )
    occurrence_id = SelectField(_l('Date (for "present")'), coerce=str, default="")
    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(_l("Write a subject.")), Length(max=200)],
        filters=STRIP,
    )
    body = TextAreaField(
        _l("Message"),
        description=_l(
            "Each mail begins “Dear” and the person's name, unless your message begins with a "
            "greeting of its own (Hej, Kære, Dear, Hello)."
        ),
        validators=[DataRequired(_l("Write a message.")), Length(max=10000)],
    )
    submit = SubmitField(_l("Send"))

    def validate_occurrence_id(self, field: Field) -> None:
        if self.audience.data == "present" and not field.data:
            raise ValidationError(_l("Choose the date."))


class AuditFilterForm(FlaskForm):
    """The audit log's filters, in the URL (a GET form: nothing to protect from forgery)."""

    class Meta:
        csrf = False

    offering = SelectField(_l("Offering"), choices=[], default="")
    user = SelectField(_l("Staff member"), choices=[], default="")

"""The audience-shares editor: seats kept for each group the offering is for, and a maximum.

/manage/offerings/<id>/shares. The rule itself lives in app/enrollment/shares.py and is
enforced by the sign-up service; this page sets it and says it in plain words.
"""

from __future__ import annotations

from datetime import time

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, IntegerField, SubmitField
from wtforms.validators import NumberRange, Optional

from app.database import utcnow
from app.enrollment.services import (
    ShareNeedsCapacity,
    ShareSetting,
    SharesTooLarge,
    set_audience_shares,
)
from app.enrollment.shares import Share, kept_seats, shares_of
from app.forms import Form
from app.i18n import _format_date, local, local_to_utc
from app.management.access import editable_offering, staff_only
from app.models import Audience


class SharesForm(Form):
    """Three fields per audience: `<audience>_percent`, `<audience>_until`, `<audience>_max`."""

    submit = SubmitField(_l("Save the shares"))

    def rows(self, audiences):
        """(audience, percent field, date field, maximum field) for the offering's audiences."""
        return [
            (a, self[f"{a.value}_percent"], self[f"{a.value}_until"], self[f"{a.value}_max"])
            for a in audiences
        ]


for _audience in Audience:
    setattr(
        SharesForm,
        f"{_audience.value}_percent",
        IntegerField(
            _l("Kept for them (percent of the seats)"),
            validators=[
                Optional(),
                NumberRange(min=1, max=100, message=_l("Write a number from 1 to 100.")),
            ],
        ),
    )
    setattr(
        SharesForm,
        f"{_audience.value}_until",
        DateField(
            _l("Kept until"),
            description=_l("From this date the kept seats are open to everyone. Empty: kept."),
            validators=[Optional()],
        ),
    )
    setattr(
        SharesForm,
        f"{_audience.value}_max",
        IntegerField(
            _l("At most, seats"),
            validators=[
                Optional(),
                NumberRange(min=1, max=10000, message=_l("Write a number from 1 up.")),
            ],
        ),
    )


def _form_data(offering) -> dict:
    data = {}
    for row in offering.audience_rows:
        a = str(row.audience)
        data[f"{a}_percent"] = row.min_share_percent
        data[f"{a}_until"] = local(row.kept_until).date() if row.kept_until else None
        data[f"{a}_max"] = row.max_seats
    return data


def _settings(form: SharesForm, audiences) -> list[ShareSetting]:
    settings = []
    for audience, percent, until, most in form.rows(audiences):
        settings.append(
            ShareSetting(
                audience=audience.value,
                min_share_percent=percent.data,
                kept_until=local_to_utc(until.data, time(0, 0)) if until.data else None,
                max_seats=most.data,
            )
        )
    return settings


def rule_in_words(offering, now) -> list[str]:
    """Each audience's rule as a sentence, for staff (empty when no share is set)."""
    sentences = []
    for share in shares_of(offering):
        label = Audience(share.audience).label
        if share.min_share_percent and offering.capacity:
            seats = kept_seats(
                Share(share.audience, share.min_share_percent), offering.capacity, now
            )
            if share.kept_until:
                sentences.append(
                    _(
                        "%(seats)d of the %(capacity)d seats (%(percent)d %%) are kept for "
                        "%(who)s until %(date)s; then they are open to everyone.",
                        seats=seats,
                        capacity=offering.capacity,
                        percent=share.min_share_percent,
                        who=label,
                        date=_format_date(share.kept_until, "long"),
                    )
                )
            else:
                sentences.append(
                    _(
                        "%(seats)d of the %(capacity)d seats (%(percent)d %%) are kept for "
                        "%(who)s.",
                        seats=seats,
                        capacity=offering.capacity,
                        percent=share.min_share_percent,
                        who=label,
                    )
                )
        if share.max_seats:
            sentences.append(_("%(who)s: at most %(num)d seats.", who=label, num=share.max_seats))
    return sentences


@staff_only
def audience_shares(offering_id: int):
    """Set how the seats are shared between the audiences, with the rule in plain words."""
    offering = editable_offering(offering_id)
    posted = request.method == "POST"
    form = SharesForm() if posted else SharesForm(formdata=None, data=_form_data(offering))
    audiences = offering.audiences
    status = 200
    if posted:
        if form.validate_on_submit():
            try:
                set_audience_shares(
                    offering.id,
                    _settings(form, audiences),
                    now=utcnow(),
                    by_user_id=current_user.id,
                )
            except (ShareNeedsCapacity, SharesTooLarge) as error:
                form.form_errors.append(_share_message(error))
            else:
                flash(_("The shares are saved."), "success")
                return redirect(url_for("management.offering", offering_id=offering.id))
        status = 400
    return render_template(
        "management/audience_shares.html",
        offering=offering,
        form=form,
        rows=form.rows(audiences),
        rule=rule_in_words(offering, utcnow()),
    ), status


def _share_message(error: Exception) -> str:
    if isinstance(error, ShareNeedsCapacity):
        return _("A share of the seats needs a number of seats. Set the seats on the edit page.")
    return _("The kept shares add up to more than 100 %. Make them smaller.")

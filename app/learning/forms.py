"""The learning plan's form: two free texts, both optional."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from app.forms import STRIP, Form
from app.learning.services import GOALS_MAX, NOTES_MAX


class LearningPlanForm(Form):
    goals = TextAreaField(
        _l("My goals"),
        filters=STRIP,
        validators=[
            Optional(),
            Length(max=GOALS_MAX, message=_l("Please keep it under %(max)d characters.")),
        ],
    )
    notes = TextAreaField(
        _l("My notes"),
        filters=STRIP,
        validators=[
            Optional(),
            Length(max=NOTES_MAX, message=_l("Please keep it under %(max)d characters.")),
        ],
    )

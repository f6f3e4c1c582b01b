"""The questionnaire, and the CSRF-only form of the staff's hide/show buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.evaluations.services import COMMENT_MAX
from app.forms import Form
from app.wellbeing.forms import Who5Fields

_CHOOSE = _l("Please choose an answer.")
USEFUL_SCALE = [
    (1, _l("1 – not useful")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _l("5 – very useful")),
]
AGREE_SCALE = [
    (1, _l("Strongly disagree")),
    (2, _l("Disagree")),
    (3, _l("Neither agree nor disagree")),
    (4, _l("Agree")),
    (5, _l("Strongly agree")),
]


def _scale(label, choices):
    return RadioField(label, choices=choices, coerce=int, validators=[InputRequired(_CHOOSE)])


class QuestionnaireForm(Form):
    usefulness = _scale(_l("Overall, how useful was it for you?"), USEFUL_SCALE)
    learnt = _scale(_l("I learnt something I can use in my everyday life"), AGREE_SCALE)
    welcome = _scale(_l("I felt welcome and safe"), AGREE_SCALE)
    recommend = _scale(_l("I would recommend it to others"), AGREE_SCALE)
    comment = TextAreaField(
        _l("Anything else you would like to tell us? (optional)"),
        validators=[Optional(), Length(max=COMMENT_MAX)],
    )


class QuestionnaireWho5Form(QuestionnaireForm, Who5Fields):
    """The questionnaire of an offering that asks WHO-5: the five statements, optional."""


class HideForm(Form):
    """CSRF for hiding or showing a comment again."""

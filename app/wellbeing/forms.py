"""The WHO-5 questions in their official wording (English msgids, the Danish version in the
catalogue): "Over the last two weeks" / "I de sidste 2 uger ...", five statements, and the
six answers from "All of the time" (5) to "At no time" (0)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField

from app.forms import Form
from app.wellbeing.models import ITEMS

TITLE = _l("WHO-5 Well-Being Index")
LEAD = _l("Over the last two weeks")
STATEMENTS = (
    _l("I have felt cheerful and in good spirits"),
    _l("I have felt calm and relaxed"),
    _l("I have felt active and vigorous"),
    _l("I woke up feeling fresh and rested"),
    _l("My daily life has been filled with things that interest me"),
)
SCALE = [
    (5, _l("All of the time")),
    (4, _l("Most of the time")),
    (3, _l("More than half of the time")),
    (2, _l("Less than half of the time")),
    (1, _l("Some of the time")),
    (0, _l("At no time")),
]
_ALL_OR_NONE = _l("Please answer all five statements, or none of them.")


def _item(statement) -> RadioField:
    return RadioField(statement, choices=SCALE, coerce=int, validate_choice=True)


class Who5Fields(Form):
    """The five statements, all optional together: all five answered, or none."""

    item1 = _item(STATEMENTS[0])
    item2 = _item(STATEMENTS[1])
    item3 = _item(STATEMENTS[2])
    item4 = _item(STATEMENTS[3])
    item5 = _item(STATEMENTS[4])

    def who5_items(self) -> list[int] | None:
        """The five answers, or None when none was given (call after validate)."""
        values = [self[name].data for name in ITEMS]
        return None if all(v is None for v in values) else values

    def validate(self, extra_validators=None) -> bool:
        for name in ITEMS:
            field = self[name]
            if not field.raw_data or field.raw_data == [""]:
                field.data = None
                field.validate_choice = False  # unanswered is not a wrong choice
        ok = super().validate(extra_validators)
        values = [self[name].data for name in ITEMS]
        if any(v is not None for v in values) and any(v is None for v in values):
            for name in ITEMS:
                if self[name].data is None:
                    self[name].errors = [*self[name].errors, _ALL_OR_NONE]
            ok = False
        return ok


class Who5StartForm(Who5Fields):
    """The question at the start: answer, or skip (a button named "skip")."""

"""One rule for email addresses: every place that takes one agrees with app.emails."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.emails import email_problem
from app.enrollment.forms import EmailForm, SignupForm
from app.management.forms import (
    AccountForm,
    AddParticipantForm,
    ForgotPasswordForm,
    OfferingForm,
    OrganisationForm,
)
from app.models import Audience

ADDRESSES = {
    "ida@example.com": True,
    "Ida.Holm+kursus@Example.COM": True,
    "ida@aarhus.dk": True,
    "ida@ærø.dk": True,  # an international domain
    "ida@sub.domain.example.org": True,
    "ida": False,
    "ida@": False,
    "@example.com": False,
    "ida@example": False,  # no top-level domain
    "ida@@example.com": False,
    "ida holm@example.com": False,
    "ida@example..com": False,
    "a" * 250 + "@example.com": False,  # longer than 254
}

# Every form field that takes an address: (form class, field name, extra constructor args).
FIELDS = [
    (SignupForm, "email", {"audiences": [Audience.CITIZEN]}),
    (EmailForm, "email", {}),
    (ForgotPasswordForm, "email", {}),
    (AccountForm, "email", {}),
    (AddParticipantForm, "email", {}),
    (OrganisationForm, "email", {}),
    (OfferingForm, "contact_email", {}),
]


def _field_accepts(app, form_class, name, extra, address) -> bool:
    with app.test_request_context(method="POST"):
        form = form_class(formdata=MultiDict({name: address}), **extra)
        field = getattr(form, name)
        field.validate(form)
        return not field.errors


@pytest.mark.parametrize(("address", "valid"), ADDRESSES.items())
def test_every_form_field_and_the_cli_agree_with_the_one_rule(app, runner, address, valid):
    assert (email_problem(address, smtputf8=False) is None) is valid
    for form_class, name, extra in FIELDS:
        assert _field_accepts(app, form_class, name, extra, address) is valid, form_class
    result = runner.invoke(
        args=["users", "create", "--email", address, "--name", "N", "--role", "admin"]
        + ["--password", "en-lang-adgangskode"]
    )
    assert (result.exit_code == 0) is valid, result.output
    if not valid:
        assert "is not an email address we can use" in result.output


def test_the_rule_says_why(app):
    assert email_problem("a" * 250 + "@example.com", smtputf8=False) == "too_long"
    assert email_problem("ida@", smtputf8=False) == "malformed"
    assert email_problem("  ida@example.com  ", smtputf8=False) is None  # forms strip too
    assert email_problem("søren@example.com", smtputf8=False) == "needs_smtputf8"
    assert email_problem("søren@example.com", smtputf8=True) is None


@pytest.mark.parametrize("smtputf8", [False, True])
def test_letters_before_the_at_follow_mail_smtputf8_in_every_place(app, runner, smtputf8):
    app.config["MAIL_SMTPUTF8"] = smtputf8
    try:
        for form_class, name, extra in FIELDS:
            accepted = _field_accepts(app, form_class, name, extra, "søren@example.com")
            assert accepted is smtputf8, form_class
        result = runner.invoke(
            args=["users", "create", "--email", "søren@example.com", "--name", "S"]
            + ["--role", "admin", "--password", "en-lang-adgangskode"]
        )
        assert (result.exit_code == 0) is smtputf8, result.output
    finally:
        app.config["MAIL_SMTPUTF8"] = False

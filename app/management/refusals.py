"""What a staff member is told when a page is not for them: what is missing, in plain words.

Keyed by the name of the rule in `policy.py` that said no, so the 403 page can say "only
administrators manage organisations" instead of a bare "Forbidden". A rule without a sentence
here gets the general one; the rule itself stays the policy's.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REASONS = {
    "can_create_offering": _l(
        "To create offerings, your account must belong to an organisation. "
        "An administrator can add it to one."
    ),
    "can_view_offering": _l(
        "This offering belongs to another organisation. Only its own staff and the people "
        "who run it can see it."
    ),
    "can_edit_offering": _l(
        "Only the staff of the organisation that owns this offering, and the people who run "
        "it, can change it."
    ),
    "can_duplicate_offering": _l("You can copy an offering only for your own organisation."),
    "can_view_participants": _l(
        "Only the people who run this offering can see its participants and attendance."
    ),
    "can_manage_participants": _l(
        "Only the people who run this offering can manage its participants and attendance."
    ),
    "can_view_evaluations": _l(
        "Only the people who run this offering, coordinators and administrators see its evaluation."
    ),
    "can_view_key_figures": _l("Your account must belong to an organisation to see key figures."),
    "can_compare_key_figures": _l(
        "Only coordinators and administrators compare key figures with other municipalities."
    ),
    "can_moderate_suggestions": _l(
        "Only volunteer-centre staff, coordinators and administrators handle group suggestions."
    ),
    "can_manage_accounts": _l(
        "Only administrators, and coordinators for their own organisation, manage accounts."
    ),
    "can_edit_account": _l(
        "This account belongs to another organisation, or is an administrator's: only "
        "administrators can change it."
    ),
    "can_manage_organisations": _l("Only administrators manage organisations."),
    "can_manage_places": _l("Only staff who run offerings (and administrators) manage places."),
    "can_view_audit_log": _l("Only administrators can read the audit log."),
    "can_see_undelivered_mail": _l("Only administrators see mail that could not be delivered."),
}

# Whatever the rule, a volunteer leader is refused for one reason: the role itself.
VOLUNTEER_LEADER = _l(
    "As a volunteer group leader you work with the groups you are named on as facilitator: "
    "their participants, attendance and mail. The staff of your organisation create and "
    "change offerings."
)


def reason_for(rule) -> str | None:
    """The sentence for a policy rule (a function), or None for the general one."""
    reason = REASONS.get(getattr(rule, "__name__", ""))
    return str(reason) if reason is not None else None

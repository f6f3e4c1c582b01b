"""Who may do what in the staff area. Every access decision is made here, nowhere else.

Plain functions of a user (and the thing they want to touch), so they are easy to read,
easy to test, and the views call them before acting (load → check → act). Hiding a button
is a courtesy; these checks are the rule.

- admin: everything, including accounts, organisations and the audit log.
- coordinator: every offering of their organisation, and the key figures of all.
- peer worker: creates offerings for their organisation; edits the ones they facilitate
  (or created).
- volunteer-centre staff: the offerings of their own organisation (the volunteer centre)
  and nothing else.

"Of their organisation" means the organisation owns the offering or co-organises it
("i samarbejde med Frivilligcenteret").
"""

from __future__ import annotations

from app.models import Offering, Organisation, User, UserRole


def _active(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_admin(user: User | None) -> bool:
    return _active(user) and user.role == UserRole.ADMIN


def _of_their_organisation(user: User, offering: Offering) -> bool:
    org_id = user.organisation_id
    if org_id is None:
        return False
    if offering.organisation_id == org_id:
        return True
    return any(org.id == org_id for org in offering.co_organisers)


def _facilitates(user: User, offering: Offering) -> bool:
    return any(f.user_id == user.id for f in offering.facilitators)


def can_use_staff_area(user: User | None) -> bool:
    return _active(user)


def can_create_offering(user: User | None) -> bool:
    """Every active staff member with an organisation (and every admin) may start one."""
    return is_admin(user) or (_active(user) and user.organisation_id is not None)


def can_create_offering_for(user: User | None, organisation: Organisation) -> bool:
    return is_admin(user) or (can_create_offering(user) and user.organisation_id == organisation.id)


def can_view_offering(user: User | None, offering: Offering) -> bool:
    """See an offering's staff page (dates, status); participants need more, see below."""
    if not _active(user):
        return False
    if user.role == UserRole.ADMIN:
        return True
    if user.role == UserRole.PEER_WORKER:
        # Colleagues' offerings are visible (to plan a term together), not editable.
        return _of_their_organisation(user, offering) or _facilitates(user, offering)
    return _of_their_organisation(user, offering)


def can_edit_offering(user: User | None, offering: Offering) -> bool:
    """Change the offering, its dates and its status (publish, cancel, ...)."""
    if not _active(user):
        return False
    if user.role == UserRole.ADMIN:
        return True
    if user.role in (UserRole.COORDINATOR, UserRole.VOLUNTEER_STAFF):
        return _of_their_organisation(user, offering)
    if user.role == UserRole.PEER_WORKER:
        return _facilitates(user, offering) or offering.created_by_id == user.id
    return False


def can_change_owner(user: User | None, offering: Offering) -> bool:
    """Only the owner's own staff (and admins) move an offering to another organisation:
    a co-organiser's staff may edit it, but must not take it over and lock the owner out."""
    if is_admin(user):
        return True
    return (
        can_edit_offering(user, offering)
        and user.organisation_id is not None
        and user.organisation_id == offering.organisation_id
    )


def can_see_join_link(user: User | None, offering: Offering) -> bool:
    """The private online join link is part of editing the offering (participants get it in
    their mail); a copy only carries it over for someone who could already see it."""
    return can_edit_offering(user, offering)


def can_view_participants(user: User | None, offering: Offering) -> bool:
    """Names, contact data, attendance: only those who run the offering (and admins)."""
    return can_edit_offering(user, offering)


def can_manage_participants(user: User | None, offering: Offering) -> bool:
    """Approve, decline, cancel, move from the waiting list, add by hand, mark attendance."""
    return can_view_participants(user, offering)


def can_duplicate_offering(user: User | None, offering: Offering) -> bool:
    """A copy belongs to the same organisation, so the user must be able to create there."""
    return can_view_offering(user, offering) and can_create_offering_for(
        user, offering.organisation
    )


def can_view_key_figures(user: User | None) -> bool:
    """Coordinators and admins see all; other staff their own organisation's offerings."""
    if not _active(user):
        return False
    return user.role in (UserRole.ADMIN, UserRole.COORDINATOR) or user.organisation_id is not None


def key_figures_organisation(user: User) -> int | None:
    """Whose offerings a user's key figures cover: None means every organisation.

    Peer workers and volunteer-centre staff see their organisation's offerings, the ones
    it co-organises included.
    """
    if user.role in (UserRole.ADMIN, UserRole.COORDINATOR):
        return None
    return user.organisation_id


def can_compare_key_figures(user: User | None) -> bool:
    """Upload partner municipalities' exports and compare: coordinators and admins."""
    return _active(user) and user.role in (UserRole.ADMIN, UserRole.COORDINATOR)


def can_view_evaluations(user: User | None, offering: Offering) -> bool:
    """An offering's evaluation results and comments (and hiding a comment): the people who
    facilitate it, and coordinators and admins for every offering."""
    if not _active(user):
        return False
    return user.role in (UserRole.ADMIN, UserRole.COORDINATOR) or _facilitates(user, offering)


def can_manage_accounts(user: User | None) -> bool:
    return is_admin(user)


def can_manage_organisations(user: User | None) -> bool:
    return is_admin(user)


def can_view_audit_log(user: User | None) -> bool:
    return is_admin(user)


def can_see_undelivered_mail(user: User | None) -> bool:
    """Failed mail shows participants' addresses across organisations: admins only."""
    return is_admin(user)


def can_assign_role(user: User | None, role: str) -> bool:
    return is_admin(user) and role in {r.value for r in UserRole}


def can_moderate_suggestions(user: User | None) -> bool:
    """Group suggestions: volunteer-centre staff, coordinators and admins approve, merge and
    decline them (peer workers do not: the centre runs the self-help groups)."""
    return _active(user) and user.role in (
        UserRole.ADMIN,
        UserRole.COORDINATOR,
        UserRole.VOLUNTEER_STAFF,
    )


def can_set_account_active(user: User | None, account: User, active: bool) -> bool:
    """Admins switch accounts on and off, but never their own off (they would lock out)."""
    return can_manage_accounts(user) and (active or account.id != user.id)


def organisations_offered(
    user: User | None, everyone: list[Organisation], offering: Offering | None
) -> list[Organisation]:
    """The organisations the offering form lets this user choose as the owner.

    Those they may create for; when editing, the offering's own organisation stays a choice,
    and it is the only one for someone who may not hand the offering to another organisation.
    """
    if offering is not None and not can_change_owner(user, offering):
        return [offering.organisation]
    allowed = [o for o in everyone if can_create_offering_for(user, o)]
    if offering is not None and offering.organisation not in allowed:
        allowed.append(offering.organisation)
    return allowed


def staff_organisation_ids(
    user: User | None,
    everyone: list[Organisation],
    offered: list[Organisation],
    offering: Offering | None,
) -> list[int]:
    """Whose staff the form offers as facilitators: admins pick anyone; others pick from the
    organisations they may choose and the offering's co-organisers."""
    if is_admin(user):
        return [o.id for o in everyone]
    ids = [o.id for o in offered]
    if offering is not None:
        ids += [o.id for o in offering.co_organisers]
    return ids

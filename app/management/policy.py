"""Who may do what in the staff area. Every access decision is made here, nowhere else.

Plain functions of a user (and the thing they want to touch), so they are easy to read,
easy to test, and the views call them before acting (load → check → act). Hiding a button
is a courtesy; these checks are the rule.

- admin: everything, including accounts, organisations and the audit log.
- coordinator: every offering of their organisation, and the key figures of all; the
  accounts of their organisation.
- peer worker: creates offerings for their organisation; edits the ones they facilitate
  (or created).
- volunteer-centre staff: the offerings of their own organisation (the volunteer centre).
- volunteer group leader (frivillig tovholder): a volunteer, not an employee. Their account
  belongs to an organisation (usually the volunteer centre), but it gives them only the
  offerings they are a named facilitator of — never their organisation's other offerings.

One offering, co-organised both ways (issue 12). An offering has an owning organisation and
may name co-organisers ("i samarbejde med Frivilligcenteret"); its facilitators may come from
any of them. For one offering:

| who                                     | sees | attendance | list | contact | needs | edits |
|-----------------------------------------|------|------------|------|---------|-------|-------|
| admin                                   | yes  | yes        | yes  | yes     | yes   | yes   |
| a named facilitator (any organisation)  | yes  | yes        | yes  | yes     | yes   | (*)   |
| a volunteer leader named facilitator    | yes  | yes        | yes  | yes     | yes   | –     |
| owning org: coordinator, centre staff   | yes  | yes        | yes  | yes     | –     | yes   |
| owning org: peer worker who created it  | yes  | yes        | yes  | yes     | –     | yes   |
| owning org: other staff (cover, logged) | yes  | yes        | –    | –       | –     | –     |
| a co-organiser's other staff            | yes  | –          | –    | –       | –     | –     |
| a volunteer leader not named on it (**) | –    | –          | –    | –       | –     | –     |
| anyone else                             | –    | –          | –    | –       | –     | –     |

(*) only if they are also the owning organisation's staff. "Sees" is the offering's staff
page with its dates and seat counts; "edits" includes its dates, publishing and cancelling;
"list" is the participant list, its CSV and printable sheet, the decisions and the
mail to participants; "contact" is email and phone, "needs" the needs text and the wish for a
peer companion, wherever participants are shown (issue 13, §4). Attendance shows names only.
A co-organiser's staff (coordinators of other organisations included) see the offering and
its counts, never a name.

(**) whatever their organisation's part in it: a volunteer leader's organisation gives them
nothing by itself, so they neither see its other offerings (not even counts) nor cover its
attendance. The volunteer leader, row by row of the rest of the staff area:

| what                                                   | volunteer leader                     |
|--------------------------------------------------------|--------------------------------------|
| dashboard, "my dates", their calendar feed             | yes: the offerings they facilitate   |
| the offerings list                                     | only the offerings they facilitate   |
| participants, mail to them, attendance, headcount      | the offerings they facilitate        |
| facilitator notices and their frequency                | the offerings they facilitate        |
| evaluation results of an offering                      | the offerings they facilitate        |
| create, copy, edit, publish or cancel an offering/date | –                                    |
| key figures, group suggestions, places                 | –                                    |
| accounts (their own included), organisations, audit   | –                                    |
| be named facilitator                                   | by the staff of an organisation that |
|                                                        | owns or co-organises the offering    |
Admins, and coordinators of the leader's organisation, create and edit leaders' accounts.
"""

from __future__ import annotations

from app.models import Offering, Organisation, User, UserRole


def _active(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_admin(user: User | None) -> bool:
    return _active(user) and user.role == UserRole.ADMIN


def _owns(user: User, offering: Offering) -> bool:
    """The user works for the organisation that owns the offering."""
    return user.organisation_id is not None and offering.organisation_id == user.organisation_id


def _co_organises(user: User, offering: Offering) -> bool:
    """The user works for one of the offering's co-organisers."""
    org_id = user.organisation_id
    return org_id is not None and any(org.id == org_id for org in offering.co_organisers)


def _of_their_organisation(user: User, offering: Offering) -> bool:
    return _owns(user, offering) or _co_organises(user, offering)


def _facilitates(user: User, offering: Offering) -> bool:
    return any(f.user_id == user.id for f in offering.facilitators)


def is_volunteer_leader(user: User | None) -> bool:
    """A frivillig tovholder: only the offerings they are named on, nothing else."""
    return _active(user) and user.role == UserRole.VOLUNTEER_LEADER


def _works_for_organisation(user: User) -> bool:
    """Staff whose organisation's offerings are theirs to see, plan and cover: every role
    with an organisation except the volunteer leader, who only has their own groups."""
    return user.organisation_id is not None and user.role != UserRole.VOLUNTEER_LEADER


def can_use_staff_area(user: User | None) -> bool:
    return _active(user)


def can_create_offering(user: User | None) -> bool:
    """Every active staff member with an organisation (and every admin) may start one; a
    volunteer leader does not (staff create the group and name them on it)."""
    return is_admin(user) or (_active(user) and _works_for_organisation(user))


def can_create_offering_for(user: User | None, organisation: Organisation) -> bool:
    return is_admin(user) or (can_create_offering(user) and user.organisation_id == organisation.id)


def can_view_offering(user: User | None, offering: Offering) -> bool:
    """See an offering's staff page (dates, status, seat counts): the staff of the owning
    organisation and of every co-organiser, and its facilitators. Participants need more.
    A volunteer leader sees only the offerings they facilitate."""
    if not _active(user):
        return False
    if user.role == UserRole.ADMIN:
        return True
    if _facilitates(user, offering):
        return True
    return _works_for_organisation(user) and _of_their_organisation(user, offering)


def can_edit_offering(user: User | None, offering: Offering) -> bool:
    """Change the offering, its dates and its status (publish, cancel, ...): the owning
    organisation's staff. A co-organiser's staff never do, facilitators or not; nor does a
    volunteer leader, even on the groups they lead."""
    if not _active(user):
        return False
    if user.role == UserRole.ADMIN:
        return True
    if user.role == UserRole.VOLUNTEER_LEADER or not _owns(user, offering):
        return False
    if user.role in (UserRole.COORDINATOR, UserRole.VOLUNTEER_STAFF):
        return True
    if user.role == UserRole.PEER_WORKER:
        # Colleagues' offerings are visible (to plan a term together), not editable.
        return _facilitates(user, offering) or offering.created_by_id == user.id
    return False


def can_change_owner(user: User | None, offering: Offering) -> bool:
    """Only the owner's own staff (and admins) move an offering to another organisation."""
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
    """Names and statuses (the participant list, its CSV and printable sheet): those who run
    the offering — its facilitators of any organisation, the owning organisation's staff who
    edit it, and admins. A co-organiser's other staff see counts only."""
    if not _active(user):
        return False
    return can_edit_offering(user, offering) or _facilitates(user, offering)


def can_manage_participants(user: User | None, offering: Offering) -> bool:
    """Approve, decline, cancel, move from the waiting list, add by hand, mail them."""
    return can_view_participants(user, offering)


def can_see_contact_data(user: User | None, offering: Offering) -> bool:
    """Email and phone (issue 13, §4): only those who run the offering — its facilitators, the
    owning organisation's staff who run it, and admins. A colleague covering attendance sees
    names only; a co-organiser's other staff and other organisations' coordinators see counts."""
    if not can_view_participants(user, offering):
        return False
    return user.role == UserRole.ADMIN or _facilitates(user, offering) or _owns(user, offering)


def can_see_needs(user: User | None, offering: Offering) -> bool:
    """The needs text and the wish for a peer companion (issue 13, §4): its facilitators and
    admins only — not the coordinator or other staff of the owning organisation."""
    return _active(user) and (user.role == UserRole.ADMIN or _facilitates(user, offering))


def can_take_attendance(user: User | None, offering: Offering) -> bool:
    """Mark present/absent/excused for a date. Those who run the participants, and — to cover
    for a sick colleague — any staff member of the owning organisation, without becoming a
    facilitator (each such view and mark is logged as cover). A volunteer leader never covers:
    only the dates of the groups they lead."""
    if not _active(user):
        return False
    if can_manage_participants(user, offering):
        return True
    return _works_for_organisation(user) and _owns(user, offering)


def takes_attendance_as_cover(user: User | None, offering: Offering) -> bool:
    """Taking attendance only as the owning organisation's cover, not as one who runs it."""
    return can_take_attendance(user, offering) and not can_manage_participants(user, offering)


def can_duplicate_offering(user: User | None, offering: Offering) -> bool:
    """A copy belongs to the same organisation, so the user must be able to create there."""
    return can_view_offering(user, offering) and can_create_offering_for(
        user, offering.organisation
    )


def can_view_key_figures(user: User | None) -> bool:
    """Coordinators and admins see all; other staff their own organisation's offerings; a
    volunteer leader none (their organisation's figures are not theirs to see)."""
    if not _active(user):
        return False
    return user.role in (UserRole.ADMIN, UserRole.COORDINATOR) or _works_for_organisation(user)


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


def can_choose_notices(user: User | None, offering: Offering) -> bool:
    """How to hear about requests, cancellations and bounces: each facilitator for themselves."""
    return _active(user) and _facilitates(user, offering)


def can_manage_accounts(user: User | None) -> bool:
    """Admins manage every account; coordinators the accounts of their own organisation."""
    return is_admin(user) or _coordinator_with_organisation(user)


def _coordinator_with_organisation(user: User | None) -> bool:
    return _active(user) and user.role == UserRole.COORDINATOR and user.organisation_id is not None


def can_edit_account(user: User | None, account: User) -> bool:
    """Change an account's name, role, organisation and access, or invite it again:
    admins any account; coordinators those of their own organisation, except admins'."""
    if is_admin(user):
        return True
    return (
        _coordinator_with_organisation(user)
        and account.organisation_id == user.organisation_id
        and account.role != UserRole.ADMIN
    )


def can_change_access_of(user: User | None, account: User) -> bool:
    """Nobody changes their own role or switches themselves off (the last admin would lock
    everybody out); a colleague does it."""
    return can_edit_account(user, account) and account.id != user.id


def account_organisations(user: User | None, everyone: list[Organisation]) -> list[Organisation]:
    """The organisations an account form lets this user put an account in."""
    if is_admin(user):
        return everyone
    return [o for o in everyone if o.id == user.organisation_id]


def can_manage_organisations(user: User | None) -> bool:
    return is_admin(user)


def can_manage_places(user: User | None) -> bool:
    """Places and their access facts are shared by every offering there: the staff who plan
    offerings (anyone who may create one) correct them, once for all."""
    return can_create_offering(user)


def can_view_audit_log(user: User | None) -> bool:
    return is_admin(user)


def can_see_undelivered_mail(user: User | None) -> bool:
    """Failed mail shows participants' addresses across organisations: admins only."""
    return is_admin(user)


def can_assign_role(user: User | None, role: str) -> bool:
    """Admins give any role; coordinators any but administrator (volunteer leader included)."""
    if role not in {r.value for r in UserRole}:
        return False
    return is_admin(user) or (can_manage_accounts(user) and role != UserRole.ADMIN)


def can_moderate_suggestions(user: User | None) -> bool:
    """Group suggestions: volunteer-centre staff, coordinators and admins approve, merge and
    decline them (peer workers do not: the centre runs the self-help groups)."""
    return _active(user) and user.role in (
        UserRole.ADMIN,
        UserRole.COORDINATOR,
        UserRole.VOLUNTEER_STAFF,
    )


def can_set_account_active(user: User | None, account: User, active: bool) -> bool:
    """Admins (and coordinators, for their organisation) switch accounts on and off, but
    never their own off (they would lock out)."""
    return can_edit_account(user, account) and (active or account.id != user.id)


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
    """Whose staff the form offers as facilitators: those of every organisation that may own
    or co-organise the offering — the owner choices and the co-organiser choices, which are
    every organisation. `may_facilitate` then holds each choice to the owner and the
    co-organisers actually chosen."""
    return [o.id for o in everyone]


def may_facilitate(
    user: User | None,
    colleague: User,
    *,
    organisation_id: int | None,
    co_organiser_ids: list[int],
    offering: Offering | None,
) -> bool:
    """A colleague can be named facilitator if their organisation owns or co-organises the
    offering (as chosen in the form). Who already facilitates stays; admins pick anyone.

    This is how a volunteer leader gets their groups: the staff of the organisations that own
    or co-organise one name them on it. Staff of any other organisation cannot."""
    if is_admin(user):
        return True
    if offering is not None and _facilitates(colleague, offering):
        return True
    org_id = colleague.organisation_id
    return org_id is not None and (org_id == organisation_id or org_id in co_organiser_ids)


def can_switch_local_passwords(user: User | None) -> bool:
    """Switching Holdplads passwords off or on (issue 17): admins."""
    return is_admin(user)

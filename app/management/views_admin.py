"""Administration: staff accounts (admins, and coordinators for their organisation),
organisations, the audit log and undelivered mail (admins)."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit import AuditAction, record_audit
from app.database import utcnow
from app.extensions import db
from app.forms import ConfirmForm
from app.mail.sender import retry_failed
from app.management import accounts, policy, queries
from app.management import audit_log as audit_log_area
from app.management.access import account_or_404, allowed_if, ensure
from app.management.forms import AccountForm, AuditFilterForm, EditAccountForm, OrganisationForm
from app.management.messages import error_message
from app.models import Organisation
from app.transaction import writes


@allowed_if(policy.can_manage_accounts)
def accounts_list():
    """Every staff account (a coordinator: their organisation's), with role and organisation."""
    everyone = policy.is_admin(current_user)
    return render_template(
        "management/accounts.html",
        users=queries.accounts_of(None if everyone else current_user.organisation_id),
        form=ConfirmForm(),
    )


def _organisation_choices(form, *, none_allowed: bool) -> None:
    offered = policy.account_organisations(current_user, queries.all_organisations())
    form.organisation_id.choices = ([(0, _("No organisation"))] if none_allowed else []) + [
        (o.id, o.name) for o in offered
    ]


def _organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id) if organisation_id else None


@allowed_if(policy.can_manage_accounts)
def new_account():
    """Create a staff account; without a password, the person gets a link to choose one."""
    form = AccountForm()
    if request.method == "GET" and not policy.is_admin(current_user):
        form.organisation_id.data = current_user.organisation_id
    _organisation_choices(form, none_allowed=policy.is_admin(current_user))
    if form.validate_on_submit():
        ensure(policy.can_assign_role(current_user, form.role.data), policy.can_manage_accounts)
        try:
            accounts.create_staff_account(
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                organisation=_organisation(form.organisation_id.data),
                password=form.password.data or None,
                smtputf8=current_app.config.get("MAIL_SMTPUTF8", False),
                language=form.language.data,
                now=utcnow(),
                invited_by=current_user.email,
            )
        except accounts.EmailTaken as error:
            form.email.errors.append(error_message(error))
        else:
            flash(
                _("The account is created.")
                if form.password.data
                else _("The account is created, and a link to choose a password is on its way."),
                "success",
            )
            return redirect(url_for("management.accounts_list"))
    return render_template("management/account_form.html", form=form), (400 if form.errors else 200)


@allowed_if(policy.can_manage_accounts)
def edit_account(user_id: int):
    """Change a colleague's name, role, organisation and whether they may sign in."""
    account = account_or_404(user_id)
    ensure(policy.can_edit_account(current_user, account), policy.can_edit_account)
    access = policy.can_change_access_of(current_user, account)
    if request.method == "GET":
        form = EditAccountForm(
            formdata=None,
            name=account.name,
            role=account.role,
            organisation_id=account.organisation_id or 0,
            active=account.is_active_account,
            language=account.language,
        )
    else:
        form = EditAccountForm()
    _organisation_choices(form, none_allowed=policy.is_admin(current_user))
    if not access:  # one's own account: the name only
        form.role.data = account.role
        form.organisation_id.data = account.organisation_id or 0
        form.active.data = account.is_active_account
    if form.validate_on_submit():
        ensure(policy.can_assign_role(current_user, form.role.data), policy.can_edit_account)
        accounts.update_account(
            account,
            name=form.name.data,
            role=form.role.data if access else None,
            organisation=_organisation(form.organisation_id.data) if access else False,
            active=form.active.data if access else None,
            language=form.language.data,
        )
        flash(_("The account of %(name)s is saved.", name=account.name), "success")
        return redirect(url_for("management.accounts_list"))
    return render_template(
        "management/account_edit.html", form=form, account=account, access=access
    ), (400 if form.errors else 200)


@allowed_if(policy.can_manage_accounts)
def resend_invitation(user_id: int):
    """Mail a new link to choose a password (the first one expired or went astray)."""
    account = account_or_404(user_id)
    ensure(policy.can_edit_account(current_user, account), policy.can_edit_account)
    if ConfirmForm().validate_on_submit():
        try:
            accounts.resend_invitation(account, now=utcnow(), reply_to=current_user.email)
        except accounts.AlreadyHasPassword as error:
            flash(error_message(error), "error")
        else:
            flash(
                _(
                    "A new link to choose a password is on its way to %(email)s.",
                    email=account.email,
                ),
                "success",
            )
    return redirect(url_for("management.accounts_list"))


@allowed_if(policy.can_manage_accounts)
def set_account_active(user_id: int):
    """Deactivate (or reactivate) an account; a deactivated account cannot sign in."""
    user = account_or_404(user_id)
    ensure(policy.can_edit_account(current_user, user), policy.can_edit_account)
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        if not policy.can_set_account_active(current_user, user, active):
            flash(_("You cannot deactivate your own account."), "error")
        else:
            accounts.set_active(user, active)
            flash(
                _("%(name)s can sign in again.", name=user.name)
                if active
                else _("%(name)s can no longer sign in.", name=user.name),
                "success",
            )
    return redirect(url_for("management.accounts_list"))


@allowed_if(policy.can_manage_organisations)
def organisations():
    """The organisations that own and co-organise offerings."""
    return render_template(
        "management/organisations.html", organisations=queries.all_organisations()
    )


def _organisation_details(form: OrganisationForm) -> accounts.OrganisationDetails:
    return accounts.OrganisationDetails(
        slug=form.slug.data,
        name=form.name.data,
        name_en=form.name_en.data,
        website=form.website.data,
        email=form.email.data,
        phone=form.phone.data,
    )


@allowed_if(policy.can_manage_organisations)
def new_organisation():
    """Add an organisation (a partner association, say)."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            accounts.create_organisation(_organisation_details(form))
        except accounts.SlugTaken as error:
            form.slug.errors.append(error_message(error))
        else:
            flash(_("The organisation is added."), "success")
            return redirect(url_for("management.organisations"))
    return render_template("management/organisation_form.html", form=form, organisation=None), (
        400 if form.errors else 200
    )


@allowed_if(policy.can_manage_organisations)
def edit_organisation(organisation_id: int):
    """Correct an organisation's name, short name and contact details."""
    organisation = db.session.get(Organisation, organisation_id) or abort(404)
    if request.method == "GET":
        form = OrganisationForm(formdata=None, obj=organisation)
    else:
        form = OrganisationForm()
    if form.validate_on_submit():
        try:
            accounts.update_organisation(organisation, _organisation_details(form))
        except accounts.SlugTaken as error:
            form.slug.errors.append(error_message(error))
        else:
            flash(_("The organisation is saved."), "success")
            return redirect(url_for("management.organisations"))
    return render_template(
        "management/organisation_form.html", form=form, organisation=organisation
    ), (400 if form.errors else 200)


def _audit_filters() -> tuple[AuditFilterForm, audit_log_area.AuditFilters]:
    """The filters in the URL; one that is not a known offering or person is left out."""
    form = AuditFilterForm(request.args)
    offerings, users = audit_log_area.filter_choices()
    form.offering.choices = [("", _("All offerings"))] + [(str(i), t) for i, t in offerings]
    form.user.choices = [("", _("All staff members"))] + [(str(i), n) for i, n in users]
    form.validate()
    chosen = {}
    for name in ("offering", "user"):
        field = getattr(form, name)
        chosen[name] = int(field.data) if field.data and not field.errors else None
    return form, audit_log_area.AuditFilters(chosen["offering"], chosen["user"])


@allowed_if(policy.can_view_audit_log)
def audit_log():
    """Who looked at or exported participant data, in words, filtered; newest first."""
    try:
        page = min(max(1, int(request.args.get("page", "1"))), 100_000)  # OFFSET must fit
    except ValueError:
        page = 1
    form, filters = _audit_filters()
    lines, total = audit_log_area.audit_page(filters, page=page)
    return render_template(
        "management/audit.html",
        form=form,
        filters=filters,
        lines=lines,
        total=total,
        page=page,
        per_page=audit_log_area.PER_PAGE,
    ), 400 if form.errors else 200


@allowed_if(policy.can_view_audit_log)
@writes  # the export is an entry of its own
def audit_csv():
    """The audit log as the filters choose it, as CSV for the data-protection officer."""
    _form, filters = _audit_filters()
    body = audit_log_area.audit_csv_text(audit_log_area.audit_lines(filters))
    record_audit(
        user_id=current_user.id,
        action=AuditAction.EXPORT_AUDIT_LOG,
        offering_id=filters.offering_id,
        now=utcnow(),
        details=", ".join(f"{k} {v}" for k, v in filters.args().items()) or None,
    )
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


@allowed_if(policy.can_see_undelivered_mail)
@writes  # the audit entry
def undelivered_mail():
    """Mail that could not be delivered after every retry, to send again or follow up by phone."""
    state = queries.mail_state()
    record_audit(
        user_id=current_user.id,
        action=AuditAction.VIEW_UNDELIVERED_MAIL,
        offering_id=None,
        now=utcnow(),
    )
    return render_template("management/mail.html", state=state, form=ConfirmForm())


@allowed_if(policy.can_see_undelivered_mail)
def retry_mail(message_id: int):
    """Give an undelivered message a fresh round of attempts."""
    if ConfirmForm().validate_on_submit():
        if retry_failed(message_id, now=utcnow()):
            flash(_("The message will be sent again within a few minutes."), "success")
        else:
            flash(_("That message is not waiting to be sent again."), "error")
    return redirect(url_for("management.undelivered_mail"))

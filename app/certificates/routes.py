"""Certificates of participation: every URL of the area at a glance.

POST /my/certificates/<enrollment_id>   the signed-in person's certificate as a PDF (language:
                                        the form's `language`, da or en); issued on first ask
GET  /certificates/<code>               public: is this certificate genuine? Course, period,
                                        the name's initials, nothing more
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from app.certificates import services
from app.database import utcnow
from app.enrollment.sign_in import PARTICIPANT_SESSION_KEY
from app.extensions import db, limiter
from app.forms import ConfirmForm
from app.models import Enrollment
from app.pdf import html_to_pdf
from app.qr import qr_svg
from app.security import no_store

bp = Blueprint("certificates", __name__)
bp.add_app_template_global(qr_svg, "qr_svg")


def min_share() -> float:
    return services.min_share(current_app.config)


def refusal_message(verdict: services.Eligibility) -> str:
    """Why there is no certificate (yet), in the person's words."""
    if verdict.refusal == services.Refusal.NOT_ENDED:
        return _("You can have a certificate when the course has ended.")
    if verdict.refusal == services.Refusal.TOO_FEW:
        return _(
            "A certificate needs you to have been present at %(needed)d of the %(held)d dates; "
            "you were present at %(present)d.",
            needed=verdict.needed,
            held=verdict.held,
            present=verdict.present,
        )
    return _("There is no certificate for this sign-up.")


@bp.post("/my/certificates/<int:enrollment_id>")
def download(enrollment_id: int):
    """The certificate of participation as a PDF, in Danish or English."""
    email = session.get(PARTICIPANT_SESSION_KEY)
    if not email:
        return redirect(url_for("enrollment.my_bookings"))
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.email_normalized != email:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("enrollment.my_bookings"))
    now = utcnow()
    try:
        certificate = services.issue_certificate(enrollment, now=now, min_share=min_share())
    except services.NotEligible:
        verdict = services.eligibility(enrollment, now=now, min_share=min_share())
        flash(refusal_message(verdict), "error")
        return redirect(url_for("enrollment.my_bookings"))
    language = request.form.get("language")
    if language not in current_app.config["LANGUAGES"]:
        language = enrollment.language if enrollment.language in ("da", "en") else "da"
    text = services.certificate_text(certificate, enrollment, now=now, min_share=min_share())
    verify_url = current_app.config["PUBLIC_URL"] + url_for(".verify", code=certificate.code)
    with force_locale(language):
        html = render_template(
            "certificates/certificate.html", text=text, language=language, verify_url=verify_url
        )
        filename = _("certificate") + f"-{enrollment.offering.slug}.pdf"
    response = Response(
        html_to_pdf(html, static_folder=current_app.static_folder), mimetype="application/pdf"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


@bp.get("/certificates/<code>")
@limiter.limit("30/minute")
def verify(code: str):
    """Whether a certificate is genuine: only the course, the period and the initials."""
    certificate = services.certificate_by_code(code)
    if certificate is None:
        return render_template("certificates/unknown.html", code=code[:40]), 404
    return render_template("certificates/verify.html", certificate=certificate)

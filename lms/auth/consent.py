"""Asking again when the privacy notice changes (PDPA).

Raising ``PRIVACY_POLICY_VERSION`` means the notice people agreed to has changed. Anyone signed
in whose recorded consent names an older version is sent to ``/privacy/consent`` when they next
open a page, and may go on once they agree. Only page views are redirected: a quiz autosave,
a progress heartbeat or any other POST or JSON request goes through, so nothing in flight is
lost. The notice, the data download, account deletion and logging out stay open, so someone who
does not agree can take their data and leave. Accounts without a consent of their own (children,
whose guardian agreed for them, and accounts an administrator imported) are not asked here.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.auth import forms
from lms.auth.account import is_placeholder_email
from lms.extensions import db
from lms.models.base import utcnow
from lms.utils import safe_next_url

OPEN_ENDPOINTS = {
    "auth.consent",
    "auth.privacy",
    "auth.logout",
    "auth.export_data",
    "auth.delete_account",
    "main.set_language",
    "main.health",
    "static",
}


def policy_version() -> str:
    return str(current_app.config.get("PRIVACY_POLICY_VERSION", "1"))


def needs_consent(user) -> bool:
    """True when ``user`` agreed to an older version of the notice than the current one."""
    recorded = getattr(user, "consent_version", None)
    return (
        recorded is not None
        and recorded != policy_version()
        and not is_placeholder_email(getattr(user, "email", None))
    )


def check() -> object | None:
    """Before every request: send a page view to the consent page when it is due."""
    if request.method not in ("GET", "HEAD") or request.endpoint is None:
        return None
    # Nearly everyone is up to date: ask that first, before parsing the Accept header.
    user = current_user._get_current_object()
    if not user.is_authenticated or not needs_consent(user):
        return None
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint.endswith(".static"):
        return None
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return None
    return redirect(url_for("auth.consent", next=request.full_path.rstrip("?")))


@login_required
def consent():
    """``/privacy/consent``: the changed notice, and a box to agree to it."""
    form = forms.ConsentForm()
    if not needs_consent(current_user):
        return redirect(safe_next_url() or url_for("learn.my_learning"))
    if form.validate_on_submit():
        current_user.consent_at = utcnow()
        current_user.consent_version = policy_version()
        db.session.commit()
        return redirect(safe_next_url() or url_for("learn.my_learning"))
    return render_template(
        "auth/consent.html",
        form=form,
        version=policy_version(),
        previous=current_user.consent_version,
        title=_("The privacy notice has changed"),
    )

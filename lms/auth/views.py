"""Sign up, log in, log out, password reset and the profile page."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.auth import account, consent, forms, services
from lms.extensions import db, limiter
from lms.utils import safe_next_url

bp = Blueprint("auth", __name__)


def _limit(key: str):
    return lambda: current_app.config[key]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_limit("SIGNUP_RATE_LIMIT"), methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_learning"))
    form = forms.SignupForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.name.data, form.email.data, form.password.data, consent=True
            )
        except services.AccountError as exc:
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            user.locale = request.accept_languages.best_match(current_app.config["LANGUAGES"])
            db.session.commit()
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(safe_next_url() or url_for("catalog.index"))
    return render_template("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("LOGIN_RATE_LIMIT"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_learning"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email or password is not correct."))
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url() or url_for("learn.my_learning"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_RATE_LIMIT"), methods=["POST"])
def reset_request():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None and user.is_active:
            services.send_reset_email(user)
        # The same answer whether or not the account exists: no account discovery.
        flash(
            _("If an account uses that email, a link to reset the password is on its way."), "info"
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_RATE_LIMIT"), methods=["POST"])
def reset(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is not valid any more. Ask for a new one."), "error")
        return redirect(url_for("auth.reset_request"))
    form = forms.ResetForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        db.session.commit()
        flash(_("Your password is changed. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = forms.ProfileForm(obj=current_user, prefix="profile")
    pw_form = forms.PasswordForm(prefix="pw")
    if form.submit_name in request.form and form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.locale = form.locale.data
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    if pw_form.submit_name in request.form and pw_form.validate_on_submit():
        if not current_user.check_password(pw_form.current.data):
            pw_form.current.errors.append(_("The current password is not correct."))
        else:
            current_user.set_password(pw_form.password.data)
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, pw_form=pw_form)


@bp.route("/privacy")
def privacy():
    """The privacy notice people agree to at sign-up (a theme may override the template)."""
    return render_template(
        "auth/privacy.html", version=current_app.config.get("PRIVACY_POLICY_VERSION", "1")
    )


@bp.route("/profile/data")
@login_required
def export_data():
    """ "Download my data" (PDPA): a JSON file of everything the site holds about the user."""
    data = account.export_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="my-data-{current_user.id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(_limit("LOGIN_RATE_LIMIT"), methods=["POST"])
def delete_account():
    """ "Delete my account" (PDPA), confirmed with the password: the account is anonymised."""
    form = forms.DeleteAccountForm()
    blocked = account.last_admin(current_user)
    if not blocked and form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("The password is not correct."))
        else:
            try:
                account.erase_account(current_user)
            except account.EraseError as exc:
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(url_for("auth.profile"))
            db.session.commit()
            logout_user()
            flash(_("Your account is deleted. Thank you for learning with us."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/delete.html", form=form, blocked=blocked)


# Asking again when the privacy notice changes (lms/auth/consent.py).
bp.add_url_rule("/privacy/consent", "consent", consent.consent, methods=["GET", "POST"])
bp.before_app_request(consent.check)

"""Sign-in, sign-out, password change, profile, preferences and personal API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms import access, clock
from lms.accounts import services
from lms.accounts.forms import LoginForm, PasswordForm, PreferencesForm, TokenForm
from lms.accounts.models import ApiToken
from lms.extensions import db, limiter
from lms.forms import ConfirmForm
from lms.security import is_safe_redirect

bp = Blueprint("accounts", __name__)


def _login_key() -> str:
    return "account:" + (request.form.get("login") or "").strip().lower()[:64]


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@access.public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_login_key,
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        person = services.authenticate(form.login.data, form.password.data, clock.now())
        if person is not None:
            db.session.commit()
            login_user(person)
            target = form.next.data if is_safe_redirect(form.next.data) else url_for("main.home")
            return redirect(target)
        flash(_("Wrong username or password."), "danger")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@access.signed_in
def logout():
    if ConfirmForm().validate_on_submit():
        services.end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@access.signed_in
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AccountError as error:
            form.new.errors.append(str(error))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on; others end
            flash(
                _("Your password has been changed. Other sessions have been signed out."), "success"
            )
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@access.signed_in
def profile():
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        current_user.timezone = form.timezone.data
        db.session.commit()
        flash(_("Your preferences have been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        form=form,
        token_form=TokenForm(),
        confirm_form=ConfirmForm(),
        tokens=services.tokens_of(current_user),
    )


@bp.route("/account/tokens", methods=["POST"])
@access.signed_in
def create_token():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            _token, secret = services.create_token(
                current_user, form.name.data, clock.now(), days=form.days.data
            )
        except services.AccountError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
    return render_template(
        "accounts/profile.html",
        form=PreferencesForm(obj=current_user),
        token_form=form,
        confirm_form=ConfirmForm(),
        tokens=services.tokens_of(current_user),
        new_secret=secret,
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@access.signed_in
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.employee_id != current_user.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.revoke_token(token, clock.now())
        db.session.commit()
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("accounts.profile"))

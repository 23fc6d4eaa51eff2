"""A user's own account: personal API tokens, created and revoked; the password."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from catalog import accounts
from catalog.errors import ValidationFailed
from catalog.permissions import WRITE_ROLES
from portal.auth import current_actor
from portal.extensions import limiter

bp = Blueprint("account", __name__)

SCOPE_LABELS = {
    "read": "read: look things up through the API (and pass its login wall, when there is one)",
    "write": "write: also register, change and record through the API, as your role and team allow",
}


class TokenForm(FlaskForm):
    name = StringField("Name", description="What the token is for, e.g. 'CI pipeline'.")
    scopes = RadioField("Scope", default="read", choices=[
        SelectChoice(value, label) for value, label in SCOPE_LABELS.items()])


class RevokeForm(FlaskForm):
    """Only the CSRF token: revoking is a POST from a button."""


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password")
    new_password = PasswordField(f"New password (at least {accounts.PASSWORD_MIN} characters)")


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMITS"], methods=["POST"],
               key_func=lambda: f"user:{current_user.get_id()}", scope="password",
               deduct_when=lambda response: response.status_code != 302)
@login_required
def password():
    """Change the password; every other session of the user ends, this one goes on."""
    form = PasswordForm()
    if form.validate_on_submit():
        actor = current_actor()
        try:
            accounts.change_password(actor, form.current_password.data or "",
                                     form.new_password.data or "")
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                getattr(form, field).errors = list(messages)
            return render_template("account/password.html", form=form), exc.status
        login_user(actor, remember=True)  # this browser keeps going, with the new generation
        flash("Password changed. Every other session of yours has ended.", "success")
        return redirect(url_for(".tokens"))
    return render_template("account/password.html", form=form), 400 if form.errors else 200


@bp.get("/tokens")
@login_required
def tokens():
    """The user's tokens: name, scope, created, last used, revoked."""
    return _page(TokenForm())


@bp.post("/tokens")
@login_required
def create_token():
    """Create a token and show its secret, this once."""
    form = TokenForm()
    if not form.validate_on_submit():  # only the CSRF token is checked here
        return _page(form, status=400)
    try:
        secret = accounts.issue_token(current_actor(), form.name.data or "",
                                      form.scopes.data or "read")
    except ValidationFailed as exc:
        for field, messages in exc.errors.items():
            getattr(form, field).errors = list(messages)
        return _page(form, status=exc.status)
    response, status = _page(TokenForm(formdata=None), secret=secret, created=form.name.data,
                             status=200)
    return response, status, {"Cache-Control": "no-store"}


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's tokens; it stops working at once."""
    if not RevokeForm().validate_on_submit():
        return _page(TokenForm(), status=400)
    token = accounts.revoke_token(current_actor(), token_id)
    flash(f"Revoked the token {token.name!r}; it no longer works.", "success")
    return redirect(url_for(".tokens"))


def _page(form: TokenForm, *, secret: str = "", created: str = "", status: int = 200):
    actor = current_actor()
    return render_template(
        "account/tokens.html", form=form, revoke_form=RevokeForm(),
        tokens=accounts.list_tokens(actor), secret=secret, created=created,
        can_write=actor.role in WRITE_ROLES), status

"""Signing in and out, the current user, and the optional login wall."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    request_started,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from catalog import accounts, history
from catalog.db import db
from catalog.models import ApiToken, User
from portal.extensions import limiter, login_manager
from portal.http import is_api_request

bp = Blueprint("auth", __name__)

OPEN_ENDPOINTS = {"auth.login", "static", "pages.healthz"}


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])


def init_login(app: Flask) -> None:
    """Wire Flask-Login: session users, bearer tokens and the login wall; and provenance."""
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    request_started.connect(_forget_request_state, app, weak=False)
    app.before_request(_record_provenance)
    app.teardown_request(_forget_provenance)
    app.before_request(_login_wall)


def _forget_request_state(sender, **extra) -> None:
    """Work out the user, the API token and the CSRF token afresh for every request.

    Flask-Login keeps the current user (and the bearer loader its token) on
    ``g``, and Flask-WTF the CSRF token; ``g`` outlives a request when an
    application context was already pushed (tests, scripts): a token sent with
    one call must never authenticate the next, and a CSRF token must follow the
    session (which signing in renews). ``request_started`` fires before the login wall.
    """
    for name in ("_login_user", "api_token", "csrf_token"):
        g.pop(name, None)


def _record_provenance() -> None:
    """Writes of this request come from the web, or the API (with its token, once known)."""
    g.provenance_reset = history.set_provenance("api" if is_api_request() else "web")


def note_api_token(token: ApiToken) -> None:
    """Record the writes of this request as made with ``token``."""
    history.set_provenance("api", token.name)


def _forget_provenance(exc: BaseException | None) -> None:
    reset = g.pop("provenance_reset", None)
    if reset is not None:
        history.reset_provenance(reset)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """Return the user a cookie names, unless its sessions were ended since (generation)."""
    number, _, generation = user_id.partition(":")
    if not (number.isdecimal() and generation.isdecimal()):
        return None
    user = db.session.get(User, int(number))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def bearer_token(headers) -> str | None:
    """Return the secret of an ``Authorization: Bearer <token>`` header (the one parser).

    None when no Authorization header is sent; "" when one is sent that is
    not a bearer token (another scheme, or no secret).
    """
    header = headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


@login_manager.request_loader
def _load_user_from_token(req) -> User | None:
    """Sign an API request in by its bearer token; pages and forms never take tokens.

    A token is for scripts calling the JSON API with its scope; honoured on a
    page it would let a read-only token post every form (CSRF tokens are
    public to any visitor) and mint itself a write token.
    """
    if not is_api_request():
        return None
    secret = bearer_token(req.headers)
    if not secret:
        return None
    found = accounts.user_for_token(secret)
    if found is None:
        return None
    g.api_token = found[1]
    note_api_token(found[1])
    return found[0]


@login_manager.unauthorized_handler
def _unauthorized():
    if is_api_request():
        response = jsonify(error="Authentication required: send an API token as "
                                 "'Authorization: Bearer <token>'.", status=401)
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    flash("Please sign in to continue.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def current_actor() -> User | None:
    """Return the signed-in user (the User itself, not a proxy), or None for a visitor."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def _login_wall():
    if not current_app.config["REQUIRE_LOGIN"] or current_user.is_authenticated:
        return None
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    return login_manager.unauthorized()


def _failed(response) -> bool:
    """Only failed sign-ins count against the limits (a success redirects)."""
    return response.status_code != 302


def _username() -> str:
    return "user:" + (request.form.get("username") or "").strip().lower()[:63]


TOO_MANY = ("Too many failed sign-ins; wait a few minutes before trying again "
            "(an administrator can reset a forgotten password).")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMITS"], key_func=_username, methods=["POST"],
               deduct_when=_failed, error_message=TOO_MANY, scope="login-user")
@limiter.limit(lambda: current_app.config["LOGIN_LIMITS_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed, error_message=TOO_MANY, scope="login-address")
def login():
    """Sign in; failures are limited per username and per address (429 past them)."""
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session: a new CSRF secret, nothing planted before
            login_user(user, remember=True)
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Unknown username or wrong password.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out everywhere: every cookie of this user stops working, not just this one."""
    user = current_actor()
    if user is not None:
        accounts.end_sessions(user)
    logout_user()
    session.clear()
    flash("Signed out.", "info")
    return redirect(url_for("pages.home"))


def _safe_next(target: str | None) -> str:
    """Return ``target`` when it is a path on this site, else the home page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("pages.home")

"""User accounts and API tokens."""

import functools
import hashlib
import re
import secrets
from typing import Any

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from catalog import history
from catalog.db import db, scalar_or_not_found, transaction
from catalog.errors import Conflict, ValidationFailed
from catalog.models import ApiToken, Team, User
from catalog.models._time import utcnow
from catalog.models.columns import USERNAME_LENGTH
from catalog.models.org import ROLES
from catalog.validation import Errors

USERNAME_RE = re.compile(rf"^[a-z0-9][a-z0-9._-]{{1,{USERNAME_LENGTH - 1}}}$")
PASSWORD_MIN = 8
TOKEN_PREFIX = "cpt_"
TOKEN_SCOPES = ("read", "write")


def create_user(username: str, password: str, *, role: str = "viewer", team: str = "",
                display_name: str = "", email: str = "") -> User:
    """Validate and create a user account.

    Raises
    ------
    ValidationFailed
        Bad username, short password, unknown role or team.
    Conflict
        The username is taken.
    """
    errors = Errors()
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        errors.add("username", f"Username must be 2-{USERNAME_LENGTH} lowercase letters, digits, "
                               "dots, hyphens or underscores.")
    if len(password or "") < PASSWORD_MIN:
        errors.add("password", f"Password must be at least {PASSWORD_MIN} characters.")
    if role not in ROLES:
        errors.add("role", f"Role must be one of: {', '.join(ROLES)}.")
    team_row = None
    if team:
        team_row = db.session.scalar(sa.select(Team).where(Team.slug == team))
        if team_row is None:
            errors.add("team", f"Unknown team {team!r}.")
    elif role == "contributor":
        errors.add("team", "A contributor needs a team.")
    errors.raise_if_any()
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict({"username": ["This username is taken."]}, "That user already exists.")
    user = User(username=username, role=role, team=team_row,
                display_name=display_name or username, email=email)
    user.set_password(password)
    with transaction():
        db.session.add(user)
        history.record(None, "user", username, {"username": username, "role": role,
                                                 "team": team or None})
    return user


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None.

    The password is hashed whether or not the user exists (against a dummy
    hash of the same kind), so the time an answer takes does not tell an
    attacker which usernames are real.
    """
    user = db.session.scalar(
        sa.select(User).where(User.username == (username or "").strip().lower())
    )
    stored = user.password_hash if user is not None else _dummy_hash()
    matches = check_password_hash(stored, password or "")
    if user is None or not user.active or not matches:
        return None
    return user


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def end_sessions(user: User, *, reason: str = "sign-out") -> None:
    """End every session of ``user``, on every device: their cookies stop signing in.

    Bumps the user's session generation, which every session and remember-me
    cookie carries (see :meth:`User.get_id`); committed.
    """
    with transaction():
        user.session_generation += 1
        history.record(user, "user", user.username, {"sessions": reason},
                       before={"sessions": None}, action="end-sessions")


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; every other session ends.

    Raises
    ------
    ValidationFailed
        The current password is wrong, or the new one too short.
    """
    errors = Errors()
    if not user.check_password(current or ""):
        errors.add("current_password", "This is not your current password.")
    if len(new or "") < PASSWORD_MIN:
        errors.add("new_password", f"Password must be at least {PASSWORD_MIN} characters.")
    errors.raise_if_any()
    user.set_password(new)
    end_sessions(user, reason="password change")


def set_password(username: str, password: str) -> User:
    """Set a user's password (an admin's reset from the command line); their sessions end.

    Raises
    ------
    NotFound
        No user has that name.
    ValidationFailed
        The password is too short.
    """
    user = _user_called(username)
    if len(password or "") < PASSWORD_MIN:
        raise ValidationFailed({"password": [
            f"Password must be at least {PASSWORD_MIN} characters."]})
    user.set_password(password)
    end_sessions(user, reason="password reset")
    return user


def issue_token(user: User, name: str, scopes: str = "read") -> str:
    """Create an API token for ``user`` and return its secret (shown once)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed({"name": ["Token name is required (at most 120 characters)."]})
    if scopes not in TOKEN_SCOPES:
        raise ValidationFailed({"scopes": [f"Scopes must be one of: {', '.join(TOKEN_SCOPES)}."]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction():
        db.session.add(ApiToken(user=user, name=name, scopes=scopes, token_hash=_digest(secret)))
        history.record(user, "token", _token_key(user, name), {"name": name, "scopes": scopes},
                       scopes=[("user", user.username)])
    return secret


def list_tokens(user: User) -> list[ApiToken]:
    """Return ``user``'s tokens, live ones first, newest first; secrets are never kept."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                  ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens; it stops working at once.

    Revoking a revoked token changes nothing.

    Raises
    ------
    NotFound
        ``user`` has no token with that id (someone else's token included).
    """
    token = scalar_or_not_found(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id),
        f"You have no API token with the id {token_id}.")
    if token.revoked_at is None:
        with transaction():
            token.revoked_at = utcnow()
            history.record(user, "token", _token_key(user, token.name),
                           {"name": token.name, "scopes": token.scopes, "revoked": True},
                           before={"name": token.name, "scopes": token.scopes}, action="revoke",
                           scopes=[("user", user.username)])
    return token


def issue_token_for(username: str, name: str, scopes: str = "read") -> str:
    """Create an API token for the user called ``username``; raise NotFound if none."""
    return issue_token(_user_called(username), name, scopes)


def _user_called(username: str) -> User:
    return scalar_or_not_found(sa.select(User).where(User.username == username.strip().lower()),
                               f"No user is called {username!r}.")


def user_for_token(secret: str) -> tuple[User, ApiToken] | None:
    """Return the active user and token for a bearer secret, recording its use."""
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == _digest(secret),
                                  ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token.user, token


def _token_key(user: User, name: str) -> str:
    return f"{user.username}:{name}"[:130]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_summary(user: User) -> dict[str, Any]:
    """Return the public fields of a user."""
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "team": user.team.slug if user.team else None}

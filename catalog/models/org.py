"""Teams, users and their API tokens."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from catalog.db import db
from catalog.models.columns import (
    Contact,
    CreatedAt,
    IntPk,
    LongText,
    Name,
    Slug,
    TeamId,
    Username,
    Word,
)

TEAM_KINDS = ("platform", "business", "data", "infrastructure")
ROLES = ("viewer", "contributor", "architect", "admin")


class Team(db.Model):
    """A platform or business team: owns capabilities, signs its members in."""

    id: Mapped[IntPk]
    slug: Mapped[Slug]
    name: Mapped[Name]
    kind: Mapped[Word] = mapped_column(default="platform")
    contact: Mapped[Contact]
    description: Mapped[LongText]

    members: Mapped[list["User"]] = relationship(back_populates="team")


class User(db.Model):
    """A person who signs in, with a role and (usually) a team."""

    __tablename__ = "user_account"

    id: Mapped[IntPk]
    username: Mapped[Username] = mapped_column(unique=True)
    display_name: Mapped[Name] = mapped_column(default="")
    email: Mapped[Contact]
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Word] = mapped_column(default="viewer")
    team_id: Mapped[TeamId | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[CreatedAt]
    #: Part of every session and remember-me cookie; bumped to end them all
    #: (sign out, password change): cookies carrying an older one sign nobody in.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    team: Mapped[Team | None] = relationship(back_populates="members")
    tokens: Mapped[list["ApiToken"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login protocol, kept here so the portal needs no wrapper class.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Return what the session and remember-me cookies carry: ``"<id>:<generation>"``."""
        return f"{self.id}:{self.session_generation}"

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password``."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Return True when ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 digest is stored."""

    id: Mapped[IntPk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    name: Mapped[Name]
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[str] = mapped_column(sa.String(40), default="read")
    created_at: Mapped[CreatedAt]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

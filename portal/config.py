"""Settings: defaults, then the environment, then the caller's overrides."""

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config`` in order: defaults, environment, ``overrides``."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(app.instance_path) / 'portal.db'}",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        REQUIRE_LOGIN=False,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SEND_FILE_MAX_AGE_DEFAULT=365 * 24 * 3600,  # static URLs carry ?v=<mtime>
    )
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["DATABASE_URL"])
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("PORTAL_REQUIRE_LOGIN"):
        app.config["REQUIRE_LOGIN"] = os.environ["PORTAL_REQUIRE_LOGIN"].lower() in ("1", "true", "yes")
    app.config.from_mapping(overrides or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path) / "secret_key")


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret(path: Path) -> str:
    """Return this instance's secret key, generating it on first use.

    Kept in the instance folder so sessions survive restarts and every worker
    of one instance shares it; set SECRET_KEY in the environment to override.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()

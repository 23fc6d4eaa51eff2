"""Settings: defaults, then the environment, then the caller's overrides.

``PORTAL_ENV=production`` (what ``make serve`` sets) turns on what a deployment
needs: cookies only over HTTPS, and no secret key made up on the spot
(:mod:`portal.preflight` refuses to start without ``SECRET_KEY``); gunicorn's
settings (``gunicorn.conf.py``) add JSON logs. Every setting
read from the environment is listed in README.md.
"""

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

TRUE_WORDS = ("1", "true", "yes", "on")

#: Flask-Compress: data answers, never HTML (static files: portal.assets). A page carries the
#: CSRF token next to text the visitor typed (the search box), which is what the
#: BREACH attack needs; JSON, CSV and GraphML carry no secret.
#: zstd and brotli first (Chromium sends both); gzip at level 1: on the 2.2 MB
#: blast radius of a hub it takes a third of level 5's time (about 7 ms against
#: 20) for 290 kB instead of 230 kB.
COMPRESSION = {
    "COMPRESS_MIMETYPES": ["application/json", "text/csv", "application/graphml+xml",
                           "application/yaml"],
    "COMPRESS_ALGORITHM": ["zstd", "br", "gzip"],
    "COMPRESS_LEVEL": 1,
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_STREAMS": False,
}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config`` in order: defaults, environment, ``overrides``."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    env = os.environ
    production = env.get("PORTAL_ENV", "development").strip().lower() == "production"
    secure_cookies = _flag(env.get("PORTAL_SECURE_COOKIES"), default=production)
    app.config.from_mapping(
        PORTAL_ENV="production" if production else "development",
        PORTAL_DEMO=_flag(env.get("PORTAL_DEMO"), default=False),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(app.instance_path) / 'portal.db'}",
        DATABASE_CONNECT_TIMEOUT=float(env.get("DATABASE_CONNECT_TIMEOUT", 5)),
        DATABASE_STATEMENT_TIMEOUT=float(env.get("DATABASE_STATEMENT_TIMEOUT", 30)),
        REQUIRE_LOGIN=_flag(env.get("PORTAL_REQUIRE_LOGIN"), default=False),
        # Compute the figures ahead in a thread (portal.warmup): servers only.
        WARM_UP=_flag(env.get("PORTAL_WARM_UP"), default=False),
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        # One form post carries at most this many fields (werkzeug counts multipart
        # parts; portal.errors counts url-encoded fields): 50 APIs and 200
        # dependencies of the capability form fit.
        MAX_FORM_PARTS=1000,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_DURATION=dt.timedelta(days=14),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure_cookies,
        PROXY_HOPS=int(env.get("PORTAL_PROXY_HOPS", 0)),
        RATELIMIT_STORAGE_URI=env.get("REDIS_URL") or "memory://",
        RATELIMIT_KEY_PREFIX=env.get("PORTAL_RATELIMIT_PREFIX", "portal"),
        RATELIMIT_HEADERS_ENABLED=True,
        # Failed sign-ins allowed per username, and per client address.
        LOGIN_LIMITS=env.get("PORTAL_LOGIN_LIMITS", "5 per minute;20 per hour"),
        LOGIN_LIMITS_PER_ADDRESS=env.get("PORTAL_LOGIN_LIMITS_PER_ADDRESS",
                                         "20 per minute;100 per hour"),
        SEND_FILE_MAX_AGE_DEFAULT=365 * 24 * 3600,  # static URLs carry ?v=<mtime>
        **COMPRESSION,
    )
    if env.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(env["DATABASE_URL"])
    if env.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = env["SECRET_KEY"]
    app.config.from_mapping(overrides or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                         connect_timeout=app.config["DATABASE_CONNECT_TIMEOUT"],
                         statement_timeout=app.config["DATABASE_STATEMENT_TIMEOUT"]),
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    if not app.config.get("SECRET_KEY") and (app.config["PORTAL_ENV"] != "production"
                                             or app.config["PORTAL_DEMO"]):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path) / "secret_key")


def engine_options(url: str, *, connect_timeout: float, statement_timeout: float) -> dict:
    """Return SQLAlchemy engine options that bound how long the database may take.

    PostgreSQL: ``connect_timeout`` (seconds) and a server-side
    ``statement_timeout``. SQLite: the same two limits as its lock wait and an
    interrupt of statements that run longer (see :mod:`catalog.db`). A pooled
    connection is checked before use, so the portal recovers by itself once the
    database is back.

    >>> engine_options("postgresql+psycopg://db/x", connect_timeout=5, statement_timeout=30)
    ... # doctest: +NORMALIZE_WHITESPACE
    {'pool_pre_ping': True, 'pool_timeout': 10,
     'connect_args': {'connect_timeout': 5, 'options': '-c statement_timeout=30000'}}
    """
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["pool_timeout"] = 10
        options["connect_args"] = {
            "connect_timeout": max(1, round(connect_timeout)),
            "options": f"-c statement_timeout={round(statement_timeout * 1000)}"}
    elif url.startswith("sqlite"):
        options["connect_args"] = {"timeout": connect_timeout}
        options["execution_options"] = {"statement_timeout": statement_timeout}
    return options


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret(path: Path) -> str:
    """Return this instance's secret key, generating it on first use.

    Kept in the instance folder so sessions survive restarts and every worker
    of one instance shares it; set SECRET_KEY in the environment to override
    (production requires it: hosts behind one load balancer must share it).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in TRUE_WORDS

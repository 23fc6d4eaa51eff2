"""Sessions end on the server, cookies are locked down, sign-in is rate limited.

Regressions: a cookie copied before sign-out still worked after it (and the
remember-me cookie for 365 days); a password change left other sessions signed
in; the CSRF secret survived sign-in; 200 wrong passwords at 5.6/s were answered
and the right one then accepted; an unknown username was refused 25 times faster
than a known one, which told attackers which usernames exist.
"""

import hashlib
import os
import subprocess
import sys
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog import accounts
from catalog.models import User
from portal import create_app
from portal.extensions import limiter
from tests.conftest import PASSWORD, csrf_token


@pytest.fixture(autouse=True)
def team(make):
    make.team("trade")


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def sign_in(client, username="dev", password=PASSWORD):
    return client.post("/auth/login", data={
        "username": username, "password": password,
        "csrf_token": csrf_token(client, "/auth/login")})


def cookies_of(client) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def with_cookies(app, cookies: dict[str, str]):
    """A new browser holding copies of ``cookies``."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def signed_in(client) -> bool:
    response = client.get("/account/tokens")
    return response.status_code == 200


def test_signing_out_ends_the_session_everywhere(app, client, make):
    make.user("dev")
    assert sign_in(client).status_code == 302
    stolen = cookies_of(client)
    assert {"session", "remember_token"} <= set(stolen)
    elsewhere = with_cookies(app, stolen)
    assert signed_in(elsewhere)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not signed_in(client)
    assert not signed_in(with_cookies(app, stolen)), "the copied cookies still sign in"
    assert not signed_in(with_cookies(app, {"remember_token": stolen["remember_token"]}))
    assert not signed_in(elsewhere)


def test_a_password_change_ends_every_other_session(app, client, make, db):
    make.user("dev")
    laptop, phone = client, app.test_client()
    sign_in(laptop)
    sign_in(phone)
    response = laptop.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-brand-new-secret",
        "csrf_token": csrf_token(laptop, "/account/password")})
    assert response.status_code == 302
    assert signed_in(laptop), "the browser that changed it stays signed in"
    assert not signed_in(phone)
    assert sign_in(app.test_client(), password=PASSWORD).status_code == 200  # refused
    assert sign_in(app.test_client(), password="a-brand-new-secret").status_code == 302


def test_a_wrong_current_password_changes_nothing(client, make, db):
    user = make.user("dev")
    before = user.password_hash
    sign_in(client)
    response = client.post("/account/password", data={
        "current_password": "not-it", "new_password": "short",
        "csrf_token": csrf_token(client, "/account/password")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This is not your current password." in html and "at least 8 characters" in html
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before and signed_in(client)


def test_an_admin_resets_a_password_from_the_command_line(app, client, make, runner):
    make.user("dev")
    sign_in(client)
    result = runner.invoke(args=["set-password", "dev", "--password", "reset-by-admin"])
    assert result.exit_code == 0, result.output
    assert not signed_in(client)
    assert sign_in(app.test_client(), password="reset-by-admin").status_code == 302
    assert runner.invoke(args=["set-password", "ghost", "--password", "whatever1"]).exit_code == 1


def test_the_csrf_secret_changes_at_sign_in(client, make):
    make.user("dev")
    before = csrf_token(client, "/auth/login")
    sign_in(client)
    response = client.post("/account/tokens", data={"name": "x", "scopes": "read",
                                                    "csrf_token": before})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def test_production_cookies_are_secure_and_same_site(monkeypatch, app):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "production-secret")
    production = create_app({"TESTING": True,
                             "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    accounts.create_user("dev", PASSWORD, role="viewer")
    client = production.test_client()
    login_page = client.get("/auth/login", base_url="https://localhost")
    token = login_page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    response = client.post("/auth/login", base_url="https://localhost", data={
        "username": "dev", "password": PASSWORD, "csrf_token": token},
        headers={"Referer": "https://localhost/auth/login"})
    assert response.status_code == 302
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookies.update(SimpleCookie(header))
    for name in ("session", "remember_token"):
        assert cookies[name]["secure"] and cookies[name]["httponly"], name
        assert cookies[name]["samesite"] == "Lax", name
    assert "2027" not in cookies["remember_token"]["expires"]  # 14 days, not a year
    with production.app_context():
        production.extensions["sqlalchemy"].engine.dispose()


def test_development_cookies_work_over_plain_http(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False


# -- rate limits and timing -----------------------------------------------------------------


def test_failed_sign_ins_are_limited_per_username(client, make):
    make.user("dev")
    statuses = [sign_in(client, password=f"guess-{i}").status_code for i in range(8)]
    assert statuses[:5] == [200] * 5, statuses  # the form again, with its error
    assert statuses[5:] == [429] * 3, statuses
    blocked = sign_in(client)  # the right password, too late
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    assert sign_in(client, "someone-else", "x").status_code == 200  # others are not locked out


def test_failed_sign_ins_are_limited_per_address(client, make):
    statuses = [sign_in(client, f"user-{i}", "nope").status_code for i in range(22)]
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429, 429], statuses


def test_successful_sign_ins_do_not_count(client, make):
    make.user("dev")
    for _ in range(7):
        assert sign_in(client).status_code == 302


def test_an_unknown_username_costs_the_same_hashing(client, make, monkeypatch):
    """Timing without a stopwatch: the same key derivation runs either way."""
    make.user("dev")
    calls = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(kwargs.get("n"))
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    sign_in(client, "dev", "wrong-password")
    known = list(calls)
    calls.clear()
    sign_in(client, "nobody-here", "wrong-password")
    assert known and calls == known


WORKER = """
import sys
from portal import create_app
from tests.conftest import csrf_token
app = create_app({"TESTING": True})
client = app.test_client()
for _ in range(int(sys.argv[1])):
    print(client.post("/auth/login", data={"username": "dev", "password": "wrong",
                      "csrf_token": csrf_token(client, "/auth/login")}).status_code)
"""


def test_workers_share_the_limits_through_redis(app, make):
    """Two processes (two gunicorn workers, or two hosts) count failures together."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        store = redis.Redis.from_url(url, socket_timeout=1)
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    make.user("dev")
    prefix = f"portal-test-{uuid.uuid4().hex}"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "test-secret-key", "REDIS_URL": url, "PORTAL_RATELIMIT_PREFIX": prefix}
    root = Path(__file__).resolve().parent.parent
    try:
        statuses = []
        for attempts in (3, 3):
            worker = subprocess.run([sys.executable, "-c", WORKER, str(attempts)], cwd=root,
                                    env=env, capture_output=True, text=True, timeout=120)
            assert worker.returncode == 0, worker.stderr[-2000:]
            statuses += [int(line) for line in worker.stdout.split()]
        assert statuses == [200] * 5 + [429], statuses
        assert store.keys(f"*{prefix}*"), "nothing was counted in Redis"
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)


def test_the_user_cookie_names_a_generation(make, db):
    user = make.user("dev")
    assert user.get_id() == f"{user.id}:0"
    accounts.end_sessions(user)
    assert db.session.scalar(sa.select(User.session_generation)) == 1

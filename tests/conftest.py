"""Fixtures in layers: app -> db -> client / runner / login, plus factories.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is
set (``.ci/run`` does both). The schema is built once per session by the
real migrations; each test starts from empty tables.
"""

import re
import threading
from functools import partial
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from catalog import accounts
from catalog.capabilities import register_capability
from catalog.db import db as _db
from catalog.models import Team
from catalog.organisation import save_business, save_domain, save_team
from catalog.seed import seed_demo
from portal import create_app
from portal.config import database_url

PASSWORD = "correct-horse-battery"
# Two workers share two cores in CI (pytest -n auto), each with its own Chromium: a page
# can take seconds to settle, so an assertion waits up to 15 s (Playwright's default is 5).
expect.set_options(timeout=15_000)

#: Backstage's own example catalog (Apache-2.0), copied with its provenance in SOURCE.md.
BACKSTAGE_EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "backstage-examples"


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """SQLite in a temporary file, or DATABASE_URL's PostgreSQL server.

    Under pytest-xdist each worker gets a database of its own on that
    server (``<name>_gw0``, ...), made at the start and dropped at the end.
    """
    import os

    if not os.environ.get("DATABASE_URL"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = sa.make_url(database_url(os.environ["DATABASE_URL"]))
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield url.render_as_string(hide_password=False)
        return
    own = url.set(database=f"{url.database}_{worker}")
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    yield own.render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture(scope="session")
def app(database_uri):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "SECRET_KEY": "test-secret-key",
        "SERVER_NAME": None,
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """An app context over empty tables; everything is wiped afterwards."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        wipe(_db)


def wipe(db) -> None:
    """Empty every table but the catalog revision, and restart the id sequences."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "catalog_revision":
            db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        # DELETE and RESTART cost a sixth of a TRUNCATE of every table, run after each test.
        for sequence in db.session.scalars(sa.text(
                "SELECT sequence_name FROM information_schema.sequences")):
            db.session.execute(sa.text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    # Bumped, never reset: a graph cached for an earlier test's revision must not match.
    db.session.execute(sa.text("UPDATE catalog_revision SET revision = revision + 1"))
    db.session.commit()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


def csrf_token(client, path: str = "/") -> str:
    """Return the CSRF token a page hands to the browser."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no csrf-token meta tag on {path}"
    return match.group(1)


def capability_form(client, **fields) -> dict:
    """Return the new-capability form filled in for ``order-pricing``, with ``fields`` on top."""
    data = {"csrf_token": csrf_token(client, "/capabilities/new"), "slug": "order-pricing",
            "name": "Order pricing", "summary": "Prices orders.", "domain": "transaction",
            "team": "trade", "lifecycle": "proposed", "tier": "2"}
    data.update(fields)
    return data


class Factory:
    """Small builders for test data; each commits what it makes."""

    def __init__(self, db):
        self.db = db

    def team(self, slug="trade", name=None, kind="platform", contact=None):
        return save_team({"slug": slug, "name": name or slug.replace("-", " ").title(),
                          "kind": kind, "contact": contact or f"{slug}@example.com"}, None)

    def domain(self, slug="transaction", layer="business-platform", name=None):
        return save_domain({"slug": slug, "name": name or slug.replace("-", " ").title(),
                            "layer": layer}, None)

    def business(self, slug="taobao", name=None, team=None):
        return save_business({"slug": slug, "name": name or slug.title(), "team": team}, None)

    def capability(self, slug, *, domain="transaction", team="trade", **fields):
        data = {"slug": slug, "name": fields.pop("name", slug.replace("-", " ").title()),
                "summary": fields.pop("summary", f"The {slug} capability."),
                "domain": domain, "team": team, **fields}
        return register_capability(data, None)

    def user(self, username, role="contributor", team="trade"):
        return accounts.create_user(username, PASSWORD, role=role,
                                    team=team if role != "viewer" else "")

    def admin_token(self, username="boss"):
        """Return a write token of a new admin of no team."""
        return accounts.issue_token(self.user(username, role="admin", team=""), "ci", "write")

    def trade_and_growth(self, infrastructure="search"):
        """Teams trade and growth, domains transaction and ``infrastructure`` (that layer's)."""
        self.team("trade")
        self.team("growth")
        self.domain("transaction")
        self.domain(infrastructure, layer="infrastructure")

    def taobao_and_tmall(self):
        """Team trade, domain transaction, Taobao (run by taobao-team) and Tmall."""
        self.team("trade")
        self.team("taobao-team", kind="business")
        self.domain("transaction")
        taobao = self.business("taobao")
        taobao.team = self.db.session.scalar(sa.select(Team).where(Team.slug == "taobao-team"))
        self.business("tmall")
        self.db.session.commit()


@pytest.fixture
def cheap_hashing(monkeypatch):
    """Hash demo passwords with few rounds: the default scrypt costs 70 ms a user."""
    monkeypatch.setattr("catalog.models.org.generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture
def make(db):
    return Factory(db)


@pytest.fixture
def token(make):
    """API token headers: ``token()`` (an architect of trade, write scope) or ``token(role, team, scopes)``.

    The user (``<role>-<team>-<scopes>``) is made at the call, so the test's
    catalog (its teams) exists by then.
    """

    def issue(role="architect", team="trade", scopes="write"):
        user = make.user(f"{role}-{team}-{scopes}", role=role, team=team)
        return {"Authorization": f"Bearer {accounts.issue_token(user, 'ci', scopes)}"}

    return issue


@pytest.fixture
def login(client, make):
    """Sign the test client in: ``login("architect")`` or ``login("contributor", team=...)``."""

    def sign_in(role="contributor", team="trade", username=None):
        username = username or f"{role}-{team}"
        make.user(username, role=role, team=team)
        response = client.post("/auth/login", data={
            "username": username, "password": PASSWORD,
            "csrf_token": csrf_token(client, "/auth/login"),
        })
        assert response.status_code == 302, response.get_data(as_text=True)
        return username

    return sign_in


@pytest.fixture
def live_server(app, db):
    """Serve the app on a free local port in a thread, for browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page_errors(page):
    """Fail the browser test on any uncaught JavaScript error of its page."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors
    assert errors == []


@pytest.fixture
def demo_site(live_server, db, page_errors):
    """The live server's root URL over the demo catalog, failing on JavaScript errors."""
    seed_demo()
    return live_server


def sign_in(page, base, username, password=PASSWORD, *, timeout=None):
    """Sign in through the browser's login page and wait for the greeting."""
    page.goto(f"{base}/auth/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash-success")).to_contain_text("Signed in as", timeout=timeout)


def drawn(page, count=1):
    """Wait until plotly has drawn ``count`` times (``window.__plots``); return the count."""
    page.wait_for_function(f"() => window.__plots >= {count}")  # a function: no eval under the CSP
    return page.evaluate("window.__plots")


def back_in_place(page, url: str, **selects: str) -> None:
    """Go back a step; expect ``url`` (a pattern) and each ``select`` named in ``selects`` at its value.

    In place: ``window.__sameDocument``, which the test set, survived (no reload).
    """
    page.go_back()
    expect(page).to_have_url(re.compile(url))
    for name, value in selects.items():
        expect(page.locator(f"select[name={name}]")).to_have_value(value)
    assert page.evaluate("window.__sameDocument") is True


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": CHROMIUM_ARGS}


#: Reports every Content-Security-Policy violation of a page to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  + (e.sample ? ` (${e.sample})` : "")));
"""


@pytest.fixture
def context(context):
    """Every browser test runs with the CSP on and fails on any violation it causes.

    ``context.csp_violations`` lists them (a test that provokes one on purpose
    clears it); console errors about the policy count too.
    """
    violations: list[str] = []
    context.expose_binding("__cspViolation", lambda source, text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    context.on("console", lambda message: violations.append(message.text)
               if "Content Security Policy" in message.text else None)
    context.csp_violations = violations
    yield context
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def table_counts(db) -> dict[str, int]:
    """Row count of every table, and the catalog revision: 'nothing written' checks."""
    counts = {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
              for t in db.metadata.sorted_tables}
    counts["revision"] = db.session.scalar(sa.text("SELECT revision FROM catalog_revision"))
    return counts


@pytest.fixture
def unchanged(db):
    """Call ``unchanged()`` once to snapshot, then ``unchanged.check()`` to compare."""

    class Snapshot:
        before = None

        def __call__(self):
            db.session.expire_all()
            self.before = table_counts(db)

        def check(self):
            db.session.expire_all()
            assert table_counts(db) == self.before

    return Snapshot()

"""The database goes away: 503s that say so, in seconds, and recovery without a restart.

Regressions: with the database down /healthz answered an HTML 500, pages a 500 and a
stalled database held a request for 44 s. The databases here are real: a port where
nothing listens, a server that accepts and never answers, a directory that does not
exist, a proxy to the suite's PostgreSQL that is cut and restored.
"""

import socket
import threading

import pytest
import sqlalchemy as sa

from catalog.db import db as _db
from portal import create_app

REFUSED = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"


def outage_app(url, **config):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "SECRET_KEY": "test-secret-key", "DATABASE_CONNECT_TIMEOUT": 1,
                       **config})


@pytest.fixture
def dead(tmp_path):
    """An app whose PostgreSQL refuses connections."""
    app = outage_app(REFUSED)
    yield app
    with app.app_context():
        _db.engine.dispose()


def answers_503(response, *, json: bool):
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.headers["Retry-After"] == "10"
    assert response.is_json is json
    return response.get_json() if json else response.get_data(as_text=True)


def test_healthz_is_a_json_503(dead):
    body = answers_503(dead.test_client().get("/healthz"), json=True)
    assert body["status"] == "unavailable" and body["database"] == "not answering"


def test_pages_answer_a_503_page_and_the_api_json(dead):
    client = dead.test_client()
    page = answers_503(client.get("/capabilities"), json=False)
    assert "database is not answering" in page and "Traceback" not in page
    body = answers_503(client.get("/api/v1/capabilities"), json=True)
    assert body == {"error": body["error"], "status": 503}
    assert "database is not answering" in body["error"]


def test_a_signed_in_visitor_gets_the_503_page_too(dead):
    """The page cannot look the user up: it is drawn for a visitor, not a 500."""
    client = dead.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"
    answers_503(client.get("/"), json=False)


def test_a_missing_sqlite_file_is_a_503(tmp_path):
    app = outage_app(f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.db'}")
    answers_503(app.test_client().get("/healthz"), json=True)
    answers_503(app.test_client().get("/capabilities"), json=False)


def test_a_stalled_database_costs_seconds_not_minutes():
    """A server that accepts connections and never answers: the connect timeout ends it."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    app = outage_app(f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/x")
    answers = []
    request = threading.Thread(target=lambda: answers.append(
        app.test_client().get("/api/v1/capabilities")), daemon=True)
    request.start()
    request.join(timeout=30)  # a guard against hanging the suite, not a benchmark
    silent.close()
    assert answers, "the request was still waiting for the database after 30 s"
    answers_503(answers[0], json=True)


def test_a_slow_statement_is_cut_by_the_statement_timeout(app, db):
    """On SQLite (interrupt) and PostgreSQL (statement_timeout) alike."""
    quick = create_app({"TESTING": True,
                        "SQLALCHEMY_DATABASE_URI": db.engine.url.render_as_string(False),
                        "SECRET_KEY": "x", "DATABASE_STATEMENT_TIMEOUT": 0.2})
    slow = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
            "WHERE x < 1000000000) SELECT count(*) FROM c")
    with quick.app_context():
        try:
            with pytest.raises(sa.exc.OperationalError):
                _db.session.execute(sa.text(slow)).scalar()
            _db.session.rollback()
            assert _db.session.execute(sa.text("SELECT 1")).scalar() == 1
        finally:
            _db.session.remove()
            _db.engine.dispose()


class Proxy:
    """A TCP proxy to the database that can be cut and restored, on one port."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.port = None
        self.sockets = []
        self.listener = None

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port or 0), reuse_port=False)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        for sock in [self.listener, *self.sockets]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets = []

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass


def test_the_portal_recovers_when_the_database_comes_back(app, db):
    url = db.engine.url
    if url.get_backend_name() != "postgresql":
        pytest.skip("needs a database server to cut: run with DATABASE_URL=postgresql://...")
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    flaky = outage_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    client = flaky.test_client()
    try:
        assert client.get("/healthz").status_code == 200
        proxy.stop()
        answers_503(client.get("/healthz"), json=True)
        answers_503(client.get("/api/v1/capabilities"), json=True)
        proxy.start()
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/capabilities").status_code == 200
    finally:
        proxy.stop()
        with flaky.app_context():
            _db.engine.dispose()

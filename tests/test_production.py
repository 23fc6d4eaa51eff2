"""The production path: gunicorn refuses an unsafe start, serves, and logs one JSON line
per request with its id."""

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from catalog import accounts
from catalog.seed import DEMO_LOGINS, seed_demo
from portal import create_app, preflight
from portal.requestlog import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent


def production(app, **config):
    return create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "PORTAL_ENV": "production", **config})


@pytest.fixture
def no_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_DEMO", raising=False)


def test_production_refuses_demo_passwords_and_a_missing_secret(app, db, no_secret):
    seed_demo()
    found = preflight.problems(production(app))
    assert any("SECRET_KEY is not set" in p for p in found)
    demo = next(p for p in found if "demo passwords" in p)
    assert all(username in demo for username, *_ in DEMO_LOGINS)
    assert any("at least 32" in p for p in preflight.problems(production(app, SECRET_KEY="x")))


def test_production_starts_once_the_demo_passwords_are_changed(app, db, no_secret):
    seed_demo()
    for username, *_ in DEMO_LOGINS:
        accounts.set_password(username, f"{username}-own-secret-1")
    assert preflight.problems(production(app, SECRET_KEY="k" * 40)) == []


def test_a_demo_may_run_as_it_is(app, db, no_secret):
    seed_demo()
    demo = production(app, PORTAL_DEMO=True)
    assert preflight.problems(demo) == [] and demo.config["SECRET_KEY"]


def test_check_deploy_exits_non_zero_with_the_reasons(app, db, no_secret):
    seed_demo()
    unsafe = production(app)
    with unsafe.app_context():
        result = unsafe.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 1
    assert "Refusing to start: SECRET_KEY is not set" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(app, port, **env):
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "app:app"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**{k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PORTAL_DEMO")},
             "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], **env})


def test_gunicorn_refuses_to_start_with_demo_passwords(app, db):
    seed_demo()
    server = gunicorn(app, free_port(), SECRET_KEY="k" * 40)
    _, errors = server.communicate(timeout=120)
    assert server.returncode != 0
    assert "Refusing to start" in errors and "demo passwords" in errors


def test_gunicorn_serves_and_logs_json_lines_with_request_ids(app, db, make):
    make.team("trade")
    port = free_port()
    server = gunicorn(app, port, SECRET_KEY="k" * 40)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz",
                                                 headers={"X-Request-ID": "lb-1234"})
                with urllib.request.urlopen(request, timeout=5) as answer:
                    assert json.load(answer)["status"] == "ok"
                    assert answer.headers["X-Request-ID"] == "lb-1234"
                    assert "Content-Security-Policy" in answer.headers
                break
            except OSError:
                assert server.poll() is None, server.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=60)
    lines = [json.loads(line) for line in errors.splitlines() if line.startswith("{")]
    served = [line for line in lines if line.get("request_id") == "lb-1234"]
    assert served and served[0]["status"] == 200 and served[0]["path"] == "/healthz"
    assert {"time", "level", "logger", "ms", "method", "remote_addr"} <= set(served[0])


def test_every_answer_has_a_request_id_and_one_log_line(client, db, caplog):
    caplog.set_level(logging.INFO, logger="portal.request")
    sent = client.get("/capabilities", headers={"X-Request-ID": "abc-123"})
    made = client.get("/capabilities", headers={"X-Request-ID": "not ok <script>"})
    assert sent.headers["X-Request-ID"] == "abc-123"
    assert made.headers["X-Request-ID"] != "not ok <script>"
    assert len(made.headers["X-Request-ID"]) == 32
    records = [r for r in caplog.records if r.name == "portal.request"]
    assert [r.request_id for r in records] == ["abc-123", made.headers["X-Request-ID"]]
    assert records[0].status == 200 and records[0].path == "/capabilities"


def test_the_json_formatter_writes_one_object_per_record():
    record = logging.LogRecord("portal.request", logging.INFO, __file__, 1, "GET %s", ("/",),
                               None)
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET /" and entry["request_id"] == "-"
    assert entry["level"] == "info" and entry["logger"] == "portal.request"

"""Concurrent writers on one capability, through a live server: 200 or 412, never a 500.

Regression: with 8 writers each sending the ETag it had just read, 523 of 1,754 PATCHes
on PostgreSQL answered 500. Two writers read version N, both pass the version check,
one commits; the other's ``UPDATE ... WHERE version = N`` then changes no row, and
SQLAlchemy raised StaleDataError at a flush outside the service's commit. Every lost
race must be a 412 (the form: the "changed meanwhile" page), and the winners' count
must match the versions written.
"""

import http.client
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from catalog.models import Capability
from tests.conftest import PASSWORD

WRITERS = 8
ROUNDS = 12


@pytest.fixture
def contested(make, db):
    make.team("trade")
    make.domain("transaction")
    make.capability("order-service")
    return make.admin_token()


def run_writers(count, write):
    """Run ``write(i, seen)`` in ``count`` threads started together; return every status seen.

    A writer appends each answer's status to ``seen``; an unexpected answer is
    recorded as its status and body, so the test reports it rather than a thread dying.
    """
    start = threading.Barrier(count)
    statuses: list = []
    lock = threading.Lock()

    def writer(i):
        start.wait()
        seen: list = []
        try:
            write(i, seen)
        except Exception as exc:  # reported below, not lost in the thread
            seen.append(repr(exc))
        with lock:
            statuses.extend(seen)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def stored_version(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(Capability.version).where(Capability.slug == "order-service"))


def test_racing_api_writers_get_200_or_412(live_server, db, contested):
    netloc = urlsplit(live_server).netloc
    path = "/api/v1/capabilities/order-service"
    auth = {"Authorization": f"Bearer {contested}"}

    def write(i, seen):
        connection = http.client.HTTPConnection(netloc, timeout=60)
        for round_ in range(ROUNDS):
            connection.request("GET", path)
            read = connection.getresponse()
            read.read()
            etag = read.getheader("ETag")
            body = json.dumps({"summary": f"writer {i}, round {round_}"})
            connection.request("PATCH", path, body=body, headers={
                **auth, "If-Match": etag, "Content-Type": "application/json"})
            answer = connection.getresponse()
            payload = answer.read()
            seen.append(answer.status if answer.status in (200, 412)
                        else (answer.status, payload[:500]))
        connection.close()

    statuses = run_writers(WRITERS, write)
    assert [s for s in statuses if s not in (200, 412)] == []
    assert len(statuses) == WRITERS * ROUNDS
    assert statuses.count(412) > 0, "no writer lost a race: the test proved nothing"
    assert stored_version(db) == 1 + statuses.count(200)


def test_racing_form_editors_get_the_changed_meanwhile_page(live_server, db, make, contested):
    editors = [make.user(f"editor-{i}", role="architect", team="").username
               for i in range(4)]

    def opener_for(username):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        login = opener.open(f"{live_server}/auth/login", timeout=60).read().decode()
        token = re.search(r'name="csrf-token" content="([^"]+)"', login).group(1)
        opener.open(f"{live_server}/auth/login", data=urllib.parse.urlencode({
            "username": username, "password": PASSWORD, "csrf_token": token}).encode(),
            timeout=60).read()
        return opener

    openers = [opener_for(name) for name in editors]

    def write(i, seen):
        opener = openers[i]
        for round_ in range(ROUNDS // 2):
            page = opener.open(f"{live_server}/capabilities/order-service/edit",
                               timeout=60).read().decode()
            fields = {
                "csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1),
                "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1),
                "name": "Order service", "summary": f"editor {i}, round {round_}",
                "domain": "transaction", "team": "trade", "lifecycle": "proposed", "tier": "3"}
            try:
                answer = opener.open(f"{live_server}/capabilities/order-service/edit",
                                     data=urllib.parse.urlencode(fields).encode(), timeout=60)
                answer.read()
                seen.append(answer.status)
            except urllib.error.HTTPError as exc:
                html = exc.read().decode()
                kept = 'id="load-current"' in html and f"editor {i}, round {round_}" in html
                seen.append(exc.code if exc.code == 412 and kept else (exc.code, html[:500]))

    statuses = run_writers(len(openers), write)
    assert [s for s in statuses if s not in (200, 412)] == []
    assert stored_version(db) == 1 + statuses.count(200)

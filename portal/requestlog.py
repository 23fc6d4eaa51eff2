"""One structured log line per request, and a request id that follows it everywhere.

Each request gets an id: the ``X-Request-ID`` a load balancer or proxy sent (when
it is a plain token of at most 64 characters), else a new one. It comes back in
the ``X-Request-ID`` response header, and every log record written while the
request runs carries it (errors included), so a user's report, the proxy's log
and the portal's lines meet on one id.

The ``portal.request`` logger writes ``request_id, method, path, status, ms,
bytes, user, remote_addr`` per request. :class:`JsonFormatter` renders any record
as one JSON object per line (``gunicorn.conf.py`` uses it in production).
"""

import datetime as dt
import json
import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
FIELDS = ("request_id", "method", "path", "status", "ms", "bytes", "user", "remote_addr")

log = logging.getLogger("portal.request")


def init_request_log(app: Flask) -> None:
    """Give every request an id, and log it once answered."""
    app.before_request(_start)
    app.after_request(_finish)


def request_id() -> str | None:
    """Return the current request's id (None outside a request)."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if REQUEST_ID.match(sent) else uuid.uuid4().hex
    return g.request_id


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response):
    response.headers["X-Request-ID"] = request_id()
    started = g.pop("request_started", None)
    known = g.get("_login_user")  # only a user already looked up: no query for this line
    user = known.username if known is not None and known.is_authenticated else None
    log.info("%s %s %s", request.method, request.path, response.status_code, extra={
        "request_id": request_id(), "method": request.method, "path": request.path, "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "bytes": response.calculate_content_length(), "user": user,
        "remote_addr": request.remote_addr})
    g.pop("request_id", None)  # an app context shared by requests (tests) starts afresh
    return response


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in FIELDS
                      if getattr(record, name, None) is not None})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)

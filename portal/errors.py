"""Turning errors into responses, in one place: JSON under /api/, HTML elsewhere.

An API client always gets JSON, whatever went wrong: ``422 {"errors":
{field: [messages]}, "message"}`` for invalid fields and ``409`` for a
duplicate (plus ``"report"`` when an import failed), ``{"error", "status"}``
for every other status (400, 401, 403, 404, 405, 412, 413, 415, 428, 500),
never an HTML page or a traceback. A write that loses a race at the database
(the stale row found at flush) is a 412 like a stale ``If-Match``.

Requests are also screened here before any view (or CSRF check) reads them: a
body larger than ``MAX_CONTENT_LENGTH`` or a form of more than ``MAX_FORM_PARTS``
fields is refused (413) before it is parsed; JSON nested deeper than
:data:`MAX_JSON_DEPTH` (400); and text that no database can store (a NUL
character, a lone surrogate) is refused (400) before it reaches a query,
wherever it comes from (URL, form, JSON, upload). A database that does not
answer is a 503 (pages, API and ``/healthz`` alike), never a 500.
"""

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, jsonify, render_template, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
)

from catalog import fields, validation
from catalog.db import db
from catalog.errors import CatalogError, StaleVersion, ValidationFailed
from portal.extensions import login_manager
from portal.http import is_api_request

BODY_METHODS = ("POST", "PUT", "PATCH")
#: JSON nested deeper than this is refused: the deepest body the API takes nests 4 levels.
MAX_JSON_DEPTH = 32
TOO_DEEP = f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."
#: Errors that mean the database is unreachable or too slow, not that a request is wrong.
UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
DATABASE_DOWN = ("The catalog's database is not answering (or took too long); nothing was "
                 "changed. Try again in a minute.")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def init_screen(app: Flask) -> None:
    """Screen every request before anything reads its body (register it first: CSRF does)."""
    app.before_request(_screen_request)


def init_errors(app: Flask) -> None:
    """Register the handlers for catalog errors, lost races, outages, HTTP errors, crashes."""
    app.register_error_handler(CatalogError, catalog_error_response)
    app.register_error_handler(StaleDataError, _lost_race)
    for unavailable in UNAVAILABLE:
        app.register_error_handler(unavailable, database_unavailable)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _crash)


def catalog_error_response(exc: CatalogError):
    """Roll back and answer a catalog error: JSON under the API, the error page elsewhere."""
    db.session.rollback()
    errors = exc.errors if isinstance(exc, ValidationFailed) else {}
    report = getattr(exc, "report", None)
    extra = {"report": report.as_dict()} if hasattr(report, "as_dict") else {}
    return _respond(exc.status, exc.message, errors, extra=extra)


def _lost_race(exc: StaleDataError):
    """A write that lost a race: another writer saved the row between our read and our flush.

    The version check of the services passed (both writers read the same
    version), so the database caught it: SQLAlchemy raises StaleDataError when
    an ``UPDATE ... WHERE version = N`` changes no row, at whichever flush or
    commit that happens. It is the same outcome as a stale ``If-Match``: roll
    back and answer as :class:`~catalog.errors.StaleVersion` does (a handler a
    blueprint registers for it included, such as the edit form's).
    """
    db.session.rollback()
    return current_app.handle_user_exception(StaleVersion(
        "Someone else saved this record while your change was being written; nothing of "
        "yours was saved. Reload it and apply your change again."))


def database_unavailable(exc: Exception):
    """The database did not answer in time (down, unreachable, overloaded): 503, not 500.

    Connect and statement timeouts (:func:`portal.config.engine_options`) make
    this take seconds; pooled connections are checked before use, so the
    portal answers again as soon as the database does, without a restart. The
    page is drawn for an anonymous visitor: who is signed in is in the database.
    """
    current_app.logger.warning("Database unavailable: %s", " ".join(str(exc).split())[:300])
    try:
        db.session.rollback()
    except sa.exc.DBAPIError:
        db.session.invalidate()
    g._login_user = login_manager.anonymous_user()
    return _respond(503, DATABASE_DOWN, {}, headers=[("Retry-After", "10")])


def _http_error(exc: HTTPException):
    return _respond(exc.code or 500, exc.description or exc.name, {}, headers=exc.get_headers())


def _crash(exc: Exception):
    db.session.rollback()
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if current_app.testing:
        raise exc
    current_app.logger.exception("Unhandled error")
    return _respond(500, InternalServerError.description, {})


def _respond(status: int, message: str, errors: dict, headers=None, extra=None):
    if is_api_request():
        body: dict[str, Any] = ({"errors": errors, "message": message} if errors
                                else {"error": message, "status": status})
        body.update(extra or {})
        response = jsonify(body)
        response.status_code = status
        for name, value in (headers or []):
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
    html = render_template("error.html", status=status, message=message, errors=errors)
    return html, status, [(name, value) for name, value in (headers or [])
                          if name.lower() == "retry-after"]


# -- screening requests --------------------------------------------------------------------


def _screen_request() -> None:
    """Refuse a body over the size limit or with too many form fields (413), text no
    database can store (400) and JSON nested too deep (400)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    length = request.content_length
    if limit and length is not None and length > limit:
        raise RequestEntityTooLarge(
            f"The body is {length:,} bytes; at most {limit:,} bytes are accepted.")
    parts = current_app.config.get("MAX_FORM_PARTS")
    if parts and request.method in BODY_METHODS \
            and request.mimetype == "application/x-www-form-urlencoded" \
            and request.get_data(cache=True).count(b"&") >= parts:
        raise RequestEntityTooLarge(  # werkzeug counts multipart parts itself
            f"The form carries more than {parts:,} fields; a form takes at most "
            f"{fields.APIS_MAX} APIs and {fields.DEPENDENCIES_MAX} dependencies.")
    where = next(_unstorable(), None)
    if where is not None:
        raise BadRequest(f"The {where} holds a NUL character (\\u0000) or a lone surrogate; "
                         "text with those cannot be stored.")


def _unstorable() -> Iterator[str]:
    """Yield where the request carries unstorable text (URL, query, form, file, JSON, body)."""
    if not _storable(request.path):
        yield "URL path"
    if any(not _storable(key) or not _storable(value)
           for key, value in request.args.items(multi=True)):
        yield "query string"
    if request.method not in BODY_METHODS:
        return
    if request.mimetype in FORM_TYPES:
        if any(not _storable(key) or not _storable(value)
               for key, value in request.form.items(multi=True)):
            yield "form"
        for upload in request.files.values():
            data = upload.stream.read()
            upload.stream.seek(0)
            if b"\x00" in data:
                yield f"file {upload.filename or upload.name!r}"
    elif request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # the parser ran out of stack: far deeper than the limit
            raise BadRequest(TOO_DEEP) from None
        if validation.nesting_depth(body) > MAX_JSON_DEPTH:
            raise BadRequest(TOO_DEEP)
        if not _storable_json(body):
            yield "JSON body"
    elif b"\x00" in request.get_data(cache=True):
        yield "body"


def _storable(text: Any) -> bool:
    """Return True when ``text`` can be stored: no NUL, no lone surrogate.

    >>> _storable("ok"), _storable("a\\x00b"), _storable("\\ud800")
    (True, False, False)
    """
    if not isinstance(text, str):
        return True
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _storable_json(value: Any) -> bool:
    """Return True when every string (keys included) of a JSON value is storable."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not _storable(item):
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True

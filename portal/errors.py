"""Turning errors into responses, in one place: JSON under /api/, HTML elsewhere."""

from flask import Flask, current_app, jsonify, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from catalog.db import db
from catalog.errors import CatalogError, ValidationFailed
from portal.http import is_api_request


def init_errors(app: Flask) -> None:
    """Register the handlers for catalog errors, HTTP errors and crashes."""
    app.register_error_handler(CatalogError, _catalog_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _crash)


def _catalog_error(exc: CatalogError):
    db.session.rollback()
    errors = exc.errors if isinstance(exc, ValidationFailed) else {}
    return _respond(exc.status, exc.message, errors)


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


def _respond(status: int, message: str, errors: dict, headers=None):
    if is_api_request():
        body = {"errors": errors} if errors else {"error": message, "status": status}
        if errors:
            body["message"] = message
        response = jsonify(body)
        response.status_code = status
        for name, value in (headers or []):
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
    html = render_template("error.html", status=status, message=message, errors=errors)
    return html, status

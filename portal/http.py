"""Small request helpers shared by views and error handlers."""

from flask import request


def is_api_request() -> bool:
    """Return True for requests under the JSON API."""
    return request.path.startswith("/api/")


def is_fragment_request() -> bool:
    """Return True when htmx asks for a fragment (not a boosted page load)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"

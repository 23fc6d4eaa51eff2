"""Small request helpers shared by views and error handlers."""

from flask import request


def is_api_request() -> bool:
    """Return True for requests under the JSON API (not its HTML reference page)."""
    return request.path.startswith("/api/v1/")


def is_fragment_request() -> bool:
    """Return True when htmx asks for a fragment.

    A boosted navigation and a history restore (htmx re-fetching a page for
    the back button) want the whole page.
    """
    headers = request.headers
    return (headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"
            and headers.get("HX-History-Restore-Request") != "true")

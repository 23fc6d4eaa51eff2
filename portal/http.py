"""Small request helpers shared by views and error handlers."""

from flask import Response, make_response, render_template, request

#: The JSON APIs: the portal's own, and Backstage's catalog API (portal.backstage_api).
API_PREFIXES = ("/api/v1/", "/api/catalog/")


def is_api_request() -> bool:
    """Return True for requests under a JSON API (not the HTML reference page)."""
    return request.path.startswith(API_PREFIXES)


def is_fragment_request() -> bool:
    """Return True when htmx asks for a fragment.

    A boosted navigation and a history restore (htmx re-fetching a page for
    the back button) want the whole page.
    """
    headers = request.headers
    return (headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"
            and headers.get("HX-History-Restore-Request") != "true")


def page_or_fragment(page: str, fragment: str, status: int = 200, **context) -> Response:
    """Render ``fragment`` when htmx asks for one, else ``page``; the answer varies on HX-Request."""
    template = fragment if is_fragment_request() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response

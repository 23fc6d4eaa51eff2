"""Security headers on every response: a Content-Security-Policy with a nonce, and friends.

Scripts run only from this site's own files or with this response's nonce
(``<script nonce="{{ csp_nonce() }}">``): no inline script an attacker slips
into a page runs, no ``eval`` (htmx is configured without it: see
``templates/base.html`` and ``static/js/portal.js``). Styles allow
``'unsafe-inline'``: plotly.js injects its own ``<style>`` elements and style
attributes at run time, and the pages size bars and swatches with ``style=``;
an injected style cannot run code. Frames are refused (``frame-ancestors
'none'``, and ``X-Frame-Options`` for old browsers); over HTTPS browsers are
told to stay on HTTPS (HSTS).
"""

import secrets

from flask import Flask, g, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'nonce-{nonce}'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_security(app: Flask) -> None:
    """Add the headers to every response and ``csp_nonce()`` to the templates."""
    app.after_request(_secure_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


def csp_nonce() -> str:
    """Return this response's script nonce (made on first use, fresh for every request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _secure_headers(response):
    response.headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    g.pop("csp_nonce", None)  # the next request under this app context gets a new one
    return response

"""Security headers on every answer, and a Content-Security-Policy that holds in Chromium.

Regression: no header at all: an injected inline script would have run, any site
could frame the portal, browsers sniffed types and sent full URLs as referrers.
The browser tests all run with this policy and fail on any violation
(``context`` in conftest.py); the last test here proves such a violation is caught.
"""

import re

import pytest
from playwright.sync_api import expect

PATHS = ["/", "/capabilities", "/auth/login", "/graph", "/delivery", "/reuse", "/healthz",
         "/api/v1/capabilities", "/capabilities/nothing-here"]


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_carries_the_headers(client, db, path):
    response = client.get(path)
    csp = policy(response)
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert re.search(r"'nonce-[\w-]{16,}'", csp["script-src"])
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'" and csp["base-uri"] == "base-uri 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_the_nonce_is_new_for_every_page_and_on_its_scripts(client, db):
    nonces = []
    for _ in range(2):
        response = client.get("/")
        nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"])[1]
        html = response.get_data(as_text=True)
        assert html.count(f'nonce="{nonce}"') >= 2
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_https_answers_ask_browsers_to_stay_on_https(client, db):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_use_no_inline_handlers_or_eval(client, db):
    """What the policy would block: inline event handlers and htmx's js: values and filters."""
    for path in ("/", "/capabilities", "/auth/login"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"\son[a-z]+=", html), path
        assert "js:" not in html and "[target" not in html, path


@pytest.mark.browser
def test_a_violation_in_the_browser_is_caught(live_server, page, context, db):
    """The guard of every browser test works: an injected inline script is blocked and reported."""
    page.goto(f"{live_server}/capabilities")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.__injected = true';
                             document.body.append(s); }""")
    expect(page.locator("body")).to_be_visible()
    for _ in range(50):
        if context.csp_violations:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("window.__injected === undefined")
    assert any("script-src" in v for v in context.csp_violations), context.csp_violations
    context.csp_violations.clear()

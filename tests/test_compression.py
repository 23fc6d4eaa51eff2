"""Static files and data answers travel compressed; pages never do (BREACH)."""

import gzip
import json

import brotli
import plotly
import pytest
from backports import zstd


def decode(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    return {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress,
            None: lambda data: data}[encoding](body)


@pytest.mark.parametrize("accept, encoding", [
    ("gzip", "gzip"),
    ("gzip, deflate, br, zstd", "zstd"),  # what Chromium sends
    ("gzip, br", "br"),
])
def test_json_is_compressed_as_the_client_accepts(client, make, accept, encoding):
    make.team("trade")
    make.domain("transaction")
    for i in range(30):
        make.capability(f"service-{i:02d}")
    plain = client.get("/api/v1/capabilities?per_page=30")
    packed = client.get("/api/v1/capabilities?per_page=30", headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(decode(packed)) == plain.get_json()
    assert len(packed.get_data()) < len(plain.get_data()) / 2


def test_plotly_js_is_compressed_and_cached_for_a_year(client, db):
    response = client.get(f"/vendor/plotly.min.js?v={plotly.__version__}",
                          headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.cache_control.max_age >= 365 * 24 * 3600
    again = client.get(f"/vendor/plotly.min.js?v={plotly.__version__}",
                       headers={"Accept-Encoding": "br", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    body = decode(response)
    assert len(body) > 3_000_000 and b"plotly" in body[:2000].lower()
    assert len(response.get_data()) < len(body) / 3
    response.close()


def test_static_css_is_compressed(client, db):
    response = client.get("/static/vendor/pico.min.css", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"--pico" in decode(response)[:5000]
    response.close()


def test_static_paths_cannot_leave_the_static_folder(client, db):
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/css/../../app.py"):
        assert client.get(path, headers={"Accept-Encoding": "br"}).status_code == 404


def test_html_pages_are_not_compressed(client, db):
    """BREACH: a compressed page holding the CSRF token and echoed search text leaks the token."""
    response = client.get("/capabilities?q=" + "a" * 600,
                          headers={"Accept-Encoding": "gzip, br, zstd"})
    assert "Content-Encoding" not in response.headers
    assert 'name="csrf-token"' in response.get_data(as_text=True)

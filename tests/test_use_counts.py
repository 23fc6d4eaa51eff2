"""Direct consumers, business reach and transitive reach: one definition, one label, every page."""

import re

import pytest

from catalog.adoptions import adopt


@pytest.fixture
def catalog(make):
    """A cache nobody adopts, used by orders; Taobao adopts orders through two APIs, Tmall once."""
    make.team("trade")
    make.domain("transaction")
    make.capability("cache", name="Distributed Cache", lifecycle="production")
    make.capability("orders", name="Orders", lifecycle="production", dependencies=["cache"],
                    apis=[{"name": "Orders API"}, {"name": "Order events"}])
    make.business("taobao", name="Taobao")
    make.business("tmall", name="Tmall")
    adopt({"business": "taobao", "capability": "orders", "api": "Orders API",
           "purpose": "Checkout"}, None)
    adopt({"business": "taobao", "capability": "orders", "api": "Order events",
           "purpose": "Order tracking"}, None)
    adopt({"business": "tmall", "capability": "orders", "purpose": "Checkout"}, None)
    return make


def text(response):
    return response.get_data(as_text=True)


def test_the_api_exposes_business_reach_beside_direct_consumers(client, catalog):
    cache = client.get("/api/v1/capabilities/cache").get_json()
    assert cache["consumers"] == {"capabilities": ["orders"], "businesses": []}
    assert cache["business_reach"] == 2
    orders = client.get("/api/v1/capabilities/orders").get_json()
    assert orders["consumers"]["businesses"] == ["taobao", "tmall"]
    assert orders["business_reach"] == 2


def test_business_reach_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    detail = next(s for s in schema.values()
                  if "consumers" in s.get("properties", {}) and "dependencies" in s["properties"])
    assert detail["properties"]["business_reach"]["type"] == "integer"
    assert "business_reach" in detail["required"]


def test_the_capability_page_labels_each_count(client, catalog):
    html = text(client.get("/capabilities/cache"))
    assert re.search(r"<dt>Direct consumers</dt>\s*<dd>1: 0 businesses adopt it, 1 capability depends on it", html)
    assert re.search(r"<dt>Business reach</dt>\s*<dd>2 businesses, directly or through", html)
    assert "<dt>Transitive reach</dt>" in html


def test_a_business_adopting_twice_is_listed_once(client, catalog):
    html = text(client.get("/capabilities/orders"))
    assert re.search(r"<dd>2: 2 businesses adopt it, 0 capabilities depend on it", html)
    section = html[html.index('id="consumers"'):]
    assert section.count('href="/businesses/taobao"') == 1
    assert "Checkout; Order tracking" in section


def test_the_home_page_and_the_capability_page_agree(client, catalog):
    home = text(client.get("/"))
    assert re.search(r'href="/capabilities/cache">Distributed Cache</a> <small class="muted">'
                     r"business reach 2 businesses</small>", home)
    assert "<dd>2 businesses, directly" in text(client.get("/capabilities/cache"))

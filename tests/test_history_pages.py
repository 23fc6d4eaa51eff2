"""History pages: the changes page and its filters, the Atom feeds, each entity's History section."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from catalog import adoptions
from catalog.adoptions import AdoptionFilters
from catalog.capabilities import get_capability, update_capability
from catalog.models._time import clock_at, utcnow

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def moved(make):
    make.team("trade", name="Trade Platform")
    make.team("member", name="Membership Platform")
    make.domain("transaction")
    make.business("taobao")
    make.capability("orders", lifecycle="production")
    update_capability(get_capability("orders"), {"team": "member", "tier": 1}, None)
    return make


def test_the_changes_page_tells_a_change_in_words(client, moved):
    html = client.get("/changes").get_data(as_text=True)
    assert "owner: Trade Platform -&gt; Membership Platform" in html
    assert "tier: 3 -&gt; 1" in html
    assert 'href="/capabilities/orders"' in html


def test_the_changes_page_filters_and_answers_htmx_with_the_list(client, moved):
    page = client.get("/changes", query_string={"kind": "team"}).get_data(as_text=True)
    assert "Membership Platform" in page and "tier: 3" not in page
    fragment = client.get("/changes", query_string={"team": "member"},
                          headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "owner: Trade Platform" in body
    assert "HX-Request" in fragment.headers["Vary"]
    bad = client.get("/changes", query_string={"since": "last week"}).get_data(as_text=True)
    assert "since must be an ISO 8601 date" in bad


def test_every_action_is_told_in_the_past_tense(client, moved):
    adoptions.adopt({"business": "taobao", "capability": "orders"}, None)
    adoptions.end_adoption(adoptions.list_adoptions(AdoptionFilters()).items[0].id, None, None)
    html = client.get("/changes", query_string={"kind": "adoption"}).get_data(as_text=True)
    told = re.findall(r"<strong>([^<]*)</strong>", html)
    assert told == ["ended", "created"]
    feed = ET.fromstring(client.get("/changes.atom").data)
    assert feed.find(f"{ATOM}entry").find(f"{ATOM}title").text.endswith(" ended by the system")


def test_history_sections_on_entity_pages(client, moved):
    for path, entity in (("/capabilities/orders", "capability:orders"),
                         ("/teams/member", "team:member"), ("/domains/transaction",
                                                             "domain:transaction"),
                         ("/businesses/taobao", "business:taobao")):
        html = client.get(path).get_data(as_text=True)
        assert 'id="history"' in html, path
        assert f"entity={entity}" in html, path
    section = client.get("/changes", query_string={"entity": "team:trade", "compact": 1,
                                                   "per_page": 10},
                         headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "owner: Trade Platform -&gt; Membership Platform" in section


def test_the_atom_feed_is_valid_and_per_entity(client, moved):
    response = client.get("/changes.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert entries and all(e.find(f"{ATOM}updated").text.endswith("Z") for e in entries)
    one = ET.fromstring(client.get("/changes.atom", query_string={
        "entity": "capability:orders"}).data)
    titles = [e.find(f"{ATOM}title").text for e in one.findall(f"{ATOM}entry")]
    assert titles == ["capability orders updated by the system",
                      "capability orders created by the system"]
    assert "owner: Trade Platform -> Membership Platform" in one.find(
        f"{ATOM}entry").find(f"{ATOM}content").text


def test_hostile_names_stay_text_in_the_feed_and_the_page(client, make):
    make.team("trade", name='<script>alert(1)</script>')
    make.domain("transaction")
    make.capability("orders", name='</title><img src=x onerror=alert(1)>')
    feed = client.get("/changes.atom").get_data(as_text=True)
    ET.fromstring(feed)  # still well-formed XML
    assert "<script>" not in feed and "<img" not in feed
    page = client.get("/changes").get_data(as_text=True)
    assert "<img src=x" not in page and "<script>alert" not in page


def test_the_graph_diff_page_lists_what_changed(client, make):
    with clock_at(utcnow() - dt.timedelta(days=200)):
        make.team("trade", name="Trade Platform")
        make.team("member", name="Membership Platform")
        make.domain("transaction")
        make.capability("orders", lifecycle="production")
    update_capability(get_capability("orders"), {"team": "member"}, None)
    make.capability("refunds")
    html = client.get("/graph/diff").get_data(as_text=True)  # the last 90 days
    assert 'Capabilities added <small class="muted">(1)</small>' in html
    assert "Trade Platform → Membership Platform" in html
    assert client.get("/graph/diff", query_string={"from": "2999-01-01"}).status_code == 422


@pytest.fixture
def reorganised(make):
    """Two hundred days ago: orders (Trade Platform) on payments, Taobao adopting orders.
    Since: orders moved to Membership Platform and was renamed; checkout came to depend on it."""
    from catalog import adoptions

    with clock_at(utcnow() - dt.timedelta(days=200)):
        make.team("trade", name="Trade Platform")
        make.team("member", name="Membership Platform")
        make.domain("transaction")
        make.business("taobao")
        make.capability("payments", lifecycle="production")
        make.capability("orders", name="Orders", lifecycle="production", dependencies=["payments"])
        adoptions.adopt({"business": "taobao", "capability": "orders"}, None)
    update_capability(get_capability("orders"), {"team": "member", "name": "Order Center"}, None)
    make.capability("checkout", lifecycle="production", dependencies=["orders"])
    return (utcnow() - dt.timedelta(days=100)).date().isoformat()


def test_the_capability_page_as_of_a_date_shows_it_then(client, reorganised):
    then = client.get("/capabilities/orders", query_string={"as_of": reorganised})
    html = then.get_data(as_text=True)
    assert then.status_code == 200
    assert f"As of {reorganised}" in html and 'href="/capabilities/orders">Back to now' in html
    assert "<h1>Orders</h1>" in html and "Trade Platform" in html
    assert "Membership Platform" not in html and "Checkout" not in html
    assert f'href="/capabilities/payments?as_of={reorganised}"' in html
    assert "Taobao" in html  # its adopter then
    # the use counts of then, labelled as on every page (checkout came later)
    assert re.search(r"<dt>Direct consumers</dt>\s*<dd>1: 1 business adopts it, 0 capabilities"
                     r" depend on it</dd>\s*<dt>Business reach</dt>\s*<dd>1 business,", html)
    assert f'href="/capabilities/orders/impact?depth=all&amp;as_of={reorganised}"' in html
    now = client.get("/capabilities/orders").get_data(as_text=True)
    assert "<h1>Order Center</h1>" in now and "See it as of" in now and "As of " not in now
    assert "Checkout" in now and "<dd>2: 1 business adopts it, 1 capability depends" in now


def test_the_impact_graph_reuse_and_governance_pages_as_of_a_date(client, reorganised):
    impact = client.get("/capabilities/orders/impact", query_string={"as_of": reorganised})
    assert impact.status_code == 200
    html = impact.get_data(as_text=True)
    assert f"As of {reorganised}" in html and "Checkout" not in html
    assert "Checkout" in client.get("/capabilities/orders/impact").get_data(as_text=True)
    graph = client.get("/graph", query_string={"as_of": reorganised}).get_data(as_text=True)
    assert f"As of {reorganised}" in graph
    assert f'name="as_of" value="{reorganised}"' in graph  # the filters keep the date
    figure = client.get("/graph/figure.json", query_string={"as_of": reorganised}).get_json()
    slugs = {node["slug"] for node in figure["nodes"]}
    assert "orders" in slugs and "checkout" not in slugs
    assert "checkout" in {n["slug"] for n in client.get("/graph/figure.json").get_json()["nodes"]}
    table = client.get("/graph/table", query_string={"as_of": reorganised}).get_data(as_text=True)
    assert "Checkout" not in table and f"/capabilities/orders?as_of={reorganised}" in table
    for path in ("/reuse", "/governance", "/governance/blast"):
        page = client.get(path, query_string={"as_of": reorganised})
        assert page.status_code == 200 and f"As of {reorganised}" in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/graph", "/capabilities/orders", "/capabilities/orders/impact",
                                  "/reuse", "/governance"])
@pytest.mark.parametrize("value", ["2999-01-01", "last tuesday"])
def test_a_page_asked_for_a_bad_or_future_date_names_as_of(client, reorganised, path, value):
    answer = client.get(path, query_string={"as_of": value})
    assert answer.status_code == 422
    assert "as_of" in answer.get_data(as_text=True)


def test_a_page_as_of_before_the_capability_existed_is_a_404(client, reorganised):
    long_ago = (utcnow() - dt.timedelta(days=400)).date().isoformat()
    assert client.get("/capabilities/orders", query_string={"as_of": long_ago}).status_code == 404
    assert client.get("/capabilities/orders", query_string={"as_of": utcnow().date().isoformat()}
                      ).status_code == 200  # today is now: the live page

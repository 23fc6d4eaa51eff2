"""History pages: the changes page and its filters, the Atom feeds, each entity's History section."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

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

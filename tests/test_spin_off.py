"""The spin-off boundary: GET /api/v1/businesses/<slug>/boundary, its page and its CSV."""

import csv
import io

import networkx as nx
import pytest

from catalog.adoptions import adopt
from graphs.build import build_graph


@pytest.fixture
def estate(make, db):
    """Taobao and Youku share membership; only Taobao uses live; Youku's team owns VIP."""
    make.team("trade")
    make.team("taobao-team", kind="business")
    make.team("youku-team", kind="business", contact="youku@example.com")
    make.domain("transaction")
    make.capability("sms", lifecycle="production")
    make.capability("member-account", lifecycle="production", dependencies=["sms"])
    make.capability("live-room", lifecycle="production", dependencies=["member-account"])
    make.capability("youku-vip", team="youku-team", lifecycle="production",
                    name="=HYPERLINK(\"http://evil.example\")",
                    dependencies=["member-account"])
    make.business("taobao", team="taobao-team")
    make.business("youku", team="youku-team")
    for business, capability in (("taobao", "live-room"), ("taobao", "youku-vip"),
                                 ("youku", "member-account")):
        adopt({"business": business, "capability": capability}, None)


def test_boundary_api_names_every_part(client, estate):
    body = client.get("/api/v1/businesses/taobao/boundary").get_json()
    assert {(r["slug"], r["distance"]) for r in body["uses"]} == {
        ("live-room", 1), ("youku-vip", 1), ("member-account", 2), ("sms", 3)}
    assert [r["slug"] for r in body["exclusive"]] == ["live-room", "youku-vip"]
    assert {r["slug"]: r["also_used_by"] for r in body["shared"]} == {
        "member-account": ["youku"], "sms": ["youku"]}
    assert body["provides_to_others"] == []
    assert {t["slug"] for t in body["teams"]} == {"trade", "taobao-team", "youku-team"}

    youku = client.get("/api/v1/businesses/youku/boundary").get_json()
    assert [(r["slug"], r["consumers"], r["used"]) for r in youku["provides_to_others"]] == [
        ("youku-vip", ["taobao"], False)]
    team = next(t for t in youku["teams"] if t["slug"] == "youku-team")
    assert team["contact"] == "youku@example.com" and team["provides"] == 1


def test_boundary_equals_networkx_on_the_catalog_graph(client, estate, db):
    G = build_graph()
    body = client.get("/api/v1/businesses/taobao/boundary").get_json()
    expected = {n.split(":")[1]: nx.shortest_path_length(G, "business:taobao", n)
                for n in nx.descendants(G, "business:taobao")}
    assert {r["slug"]: r["distance"] for r in body["uses"]} == expected
    youku = nx.descendants(G, "business:youku")
    assert {r["slug"] for r in body["exclusive"]} == {
        s for s in expected if f"capability:{s}" not in youku}


def test_unknown_business_is_404(client, estate):
    response = client.get("/api/v1/businesses/nope/boundary")
    assert response.status_code == 404 and "nope" in response.get_json()["error"]
    assert client.get("/businesses/nope/spin-off").status_code == 404


def test_a_business_using_nothing_has_an_empty_boundary(client, estate, make):
    make.business("lonely")
    body = client.get("/api/v1/businesses/lonely/boundary").get_json()
    assert body["uses"] == body["exclusive"] == body["shared"] == []
    html = client.get("/businesses/lonely/spin-off").get_data(as_text=True)
    assert "takes nothing from the platform" in html


def test_spin_off_page_shows_parts_figure_and_escapes_names(client, estate, make):
    make.capability("hostile", name="<script>alert(1)</script>", lifecycle="production")
    adopt({"business": "taobao", "capability": "hostile"}, None)
    html = client.get("/businesses/taobao/spin-off").get_data(as_text=True)
    assert "What would a spin-off of Taobao take?" in html
    for key in ("exclusive", "shared", "provides", "teams"):
        assert f'id="section-{key}"' in html
    assert 'data-figure="boundary"' in html and 'id="figures"' in html
    assert 'href="/businesses/youku"' in html  # also used by
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html


def test_sections_page_filter_and_fragment(client, estate):
    response = client.get("/businesses/taobao/spin-off/shared?q=sms",
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and not html.lstrip().startswith("<!doctype")
    assert 'href="/capabilities/sms"' in html and "member-account" not in html
    assert client.get("/businesses/taobao/spin-off/nope").status_code == 404
    bad = client.get("/businesses/taobao/spin-off/shared?page=0")
    assert bad.status_code == 422 and "page" in bad.get_data(as_text=True).lower()


def test_csv_has_every_part_and_neutralises_formulas(client, estate):
    response = client.get("/businesses/taobao/spin-off.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["part", "capability", "name"]
    parts = {(row[0], row[1]) for row in rows[1:]}
    assert ("goes with it", "live-room") in parts and ("shared", "sms") in parts
    vip = next(row for row in rows if row[1] == "youku-vip")
    assert vip[2].startswith("'=HYPERLINK")
    section = client.get("/businesses/youku/spin-off/provides.csv").get_data(as_text=True)
    assert section.splitlines()[1] == "youku-vip,youku-team,taobao,no"


def test_boundary_is_open_to_readers_and_refuses_writes(client, estate, login):
    login("viewer")
    assert client.get("/api/v1/businesses/taobao/boundary").status_code == 200
    assert client.get("/businesses/taobao/spin-off").status_code == 200
    assert client.post("/api/v1/businesses/taobao/boundary").status_code == 405

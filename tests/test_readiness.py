"""Readiness for a peak sale: tier-1 capabilities by business, weighted blast radius, risks."""

import pytest

from catalog.adoptions import adopt
from catalog.capabilities import get_capability
from catalog.models import Dependency


@pytest.fixture
def peak(make, db):
    """taobao -> shop -(sync)-> pay (tier 1) <-(async)- mail; pay -> old (deprecated);
    pay <-> risk (a cycle); tmall -> mail."""
    make.team("trade", contact="trade@example.com")
    make.domain("transaction")
    make.capability("old", lifecycle="deprecated")
    make.capability("pay", tier=1, sla_availability="99.99", sla_p99_ms=50,
                    dependencies=["old"], lifecycle="production")
    make.capability("risk", dependencies=["pay"], tier=1, lifecycle="production")
    make.capability("shop", dependencies=[{"provider": "pay", "kind": "sync"}])
    make.capability("mail", dependencies=[{"provider": "pay", "kind": "async"}])
    pay = get_capability("pay")
    db.session.add(Dependency(consumer=pay, provider=get_capability("risk"), kind="sync"))
    db.session.commit()
    make.capability("bump")  # a recorded write after the direct insert: a new revision
    make.business("taobao", name="Taobao")
    make.business("tmall", name="Tmall")
    adopt({"business": "taobao", "capability": "shop"}, None)
    adopt({"business": "tmall", "capability": "mail"}, None)
    return make


def test_api_lists_tier1_with_weighted_blast_and_risks(client, peak):
    body = client.get("/api/v1/governance/readiness").get_json()
    assert [row["slug"] for row in body["items"]] == ["pay", "risk"] and body["total"] == 2
    pay = body["items"][0]
    assert pay["blast"] == {"sync": 2, "async": 1, "all": 3}  # risk and shop; mail apart
    assert pay["sla"] == {"availability": 99.99, "p99_ms": 50}
    assert pay["deprecated_dependencies"] == ["old"] and pay["cycle"] == ["pay", "risk"]
    assert pay["businesses"] == ["taobao", "tmall"] and pay["team_contact"] == "trade@example.com"
    risk = body["items"][1]
    assert risk["sla"] == {"availability": None, "p99_ms": None}
    businesses = {b["slug"]: b for b in body["businesses"]}
    assert businesses["taobao"] == {"slug": "taobao", "name": "Taobao", "tier1": 2,
                                    "without_sla": 1, "at_risk": 2}


def test_api_filters_by_business_and_pages(client, peak, db):
    body = client.get("/api/v1/governance/readiness?business=tmall&per_page=1").get_json()
    assert body["total"] == 2 and len(body["items"]) == 1
    assert "business=tmall" in body["next"] and "page=2" in body["next"]


@pytest.mark.parametrize("query, field", [("business=ghost", "business"), ("page=-1", "page"),
                                          ("per_page=0", "per_page")])
def test_api_bad_parameters_are_422_naming_them(client, peak, query, field):
    response = client.get(f"/api/v1/governance/readiness?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]


@pytest.mark.parametrize("role", [None, "viewer", "contributor", "architect", "admin"])
def test_readiness_page_for_every_role(client, peak, login, role):
    if role:
        login(role)
    html = client.get("/governance/readiness").get_data(as_text=True)
    assert 'href="/governance/readiness?business=taobao"' in html
    assert "Depends on deprecated:" in html and "In a cycle of 2:" in html
    assert "no availability target" in html


def test_readiness_page_of_one_business(client, peak):
    html = client.get("/governance/readiness?business=taobao").get_data(as_text=True)
    assert "Tier-1 capabilities Taobao reaches" in html
    assert client.get("/governance/readiness?business=ghost").status_code == 422


def test_readiness_page_escapes_names(client, peak, db):
    pay = get_capability("pay")
    pay.name = "<img src=x onerror=alert(1)>"
    db.session.commit()
    peak.capability("bump-again")
    html = client.get("/governance/readiness").get_data(as_text=True)
    assert "<img src=x" not in html


def test_empty_catalog(client, db):
    assert client.get("/api/v1/governance/readiness").get_json() == {
        "items": [], "total": 0, "next": None, "businesses": []}
    assert "No tier-1 capability" in client.get("/governance/readiness").get_data(as_text=True)

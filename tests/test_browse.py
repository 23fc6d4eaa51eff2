"""Browsing capabilities: search, facets, sort, pages, fragment or page."""

import pytest

from catalog.browse import BrowseQuery, browse, export_rows
from catalog.errors import ValidationFailed


@pytest.fixture
def catalog(make):
    make.trade_and_growth()
    make.domain("marketing")
    make.capability("search-engine", name="Search engine", domain="search", team="growth",
                    tags=["search", "core"], lifecycle="production", tier=1)
    make.capability("coupon-engine", name="Coupon engine", domain="marketing", team="growth",
                    summary="Issue and redeem coupons.", tags=["promo"], lifecycle="production",
                    dependencies=["search-engine"])
    make.capability("order-service", name="Order service", tags=["checkout", "core"],
                    summary="Takes orders; 100% of checkout.", dependencies=["search-engine"])
    make.capability("coupon-audit", name="Audit trail", domain="marketing",
                    summary="Who changed which coupon.", lifecycle="deprecated")
    return make


def slugs(**args):
    return [c.slug for c in browse(BrowseQuery.from_args(args)).items]


def test_default_is_by_name(catalog):
    assert slugs() == ["coupon-audit", "coupon-engine", "order-service", "search-engine"]


def test_every_word_must_match_somewhere(catalog):
    assert slugs(q="coupon") == ["coupon-engine", "coupon-audit"]
    assert slugs(q="coupon redeem") == ["coupon-engine"]
    assert slugs(q="CORE") == ["search-engine", "order-service"]
    assert slugs(q="nothing-like-this") == []


def test_search_text_is_taken_literally(catalog):
    assert slugs(q="100%") == ["order-service"]
    assert slugs(q="_") == []


def test_relevance_puts_name_matches_first(catalog):
    assert slugs(q="coupon")[0] == "coupon-engine"  # name starts with it; the other only slug


def test_best_match_ranks_slug_name_prefix_then_contains(make):
    make.trade_and_growth()
    make.domain("marketing")
    make.capability("engine", name="Motor")  # the slug is the word
    make.capability("motor-one", name="Engine")  # the name is the word
    make.capability("zeta-starter", name="Engine starter", tier=3)  # the name starts with it
    make.capability("alpha-starter", name="Engine starter kit", tier=3)
    make.capability("engine-room", name="Boiler")  # the slug starts with it
    make.capability("rocket", name="Rocket engine")  # the name holds it
    make.capability("critical-rocket", name="Rocket engine two", tier=1)
    make.capability("quiet", name="Quiet", summary="No engine noise.")  # only the summary
    best_first = ["engine", "motor-one", "zeta-starter", "alpha-starter", "engine-room",
                  "critical-rocket", "rocket", "quiet"]
    assert slugs(q="engine") == best_first
    paged = [slug for page in (1, 2, 3) for slug in slugs(q="engine", per_page=3, page=page)]
    assert paged == best_first
    assert browse(BrowseQuery.from_args({"q": "engine", "per_page": 3})).total == 8
    assert slugs(q="engine", domain="marketing") == []
    assert [row[0] for row in export_rows(BrowseQuery.from_args({"q": "engine"}))] == best_first
    assert slugs(q="engine", sort="name")[:2] == ["engine-room", "motor-one"]


@pytest.mark.parametrize("args, expected", [
    ({"domain": "marketing"}, ["coupon-audit", "coupon-engine"]),
    ({"layer": "infrastructure"}, ["search-engine"]),
    ({"team": "trade"}, ["coupon-audit", "order-service"]),
    ({"lifecycle": "production"}, ["coupon-engine", "search-engine"]),
    ({"tag": "core"}, ["order-service", "search-engine"]),
    ({"tag": "core", "team": "growth"}, ["search-engine"]),
])
def test_filters(catalog, args, expected):
    assert slugs(**args) == expected


def test_sorts(catalog):
    assert slugs(sort="-consumers")[0] == "search-engine"
    assert slugs(sort="tier")[0] == "search-engine"
    assert slugs(sort="-updated")[0] == "coupon-audit"


def test_facets_count_without_their_own_filter(catalog):
    result = browse(BrowseQuery.from_args({"domain": "marketing"}))
    domains = {value: count for value, _, count in result.facets["domain"]}
    assert domains == {"marketing": 2, "search": 1, "transaction": 1}
    lifecycles = {value: count for value, _, count in result.facets["lifecycle"]}
    assert lifecycles == {"production": 1, "deprecated": 1}
    assert [value for value, _, _ in result.facets["layer"]] == ["business-platform"]


def test_pages(catalog):
    result = browse(BrowseQuery.from_args({"per_page": "3", "page": "2"}))
    assert [c.slug for c in result.items] == ["search-engine"]
    assert result.total == 4 and result.pages == 2 and not result.has_next


@pytest.mark.parametrize("args, field", [
    ({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"per_page": "101"}, "per_page"),
    ({"sort": "price"}, "sort"), ({"lifecycle": "dead"}, "lifecycle"), ({"q": "x" * 201}, "q"),
])
def test_bad_parameters_name_the_field(args, field):
    with pytest.raises(ValidationFailed) as info:
        BrowseQuery.from_args(args)
    assert field in info.value.errors


def test_page_has_form_facets_and_results(client, catalog):
    html = client.get("/capabilities?q=coupon").get_data(as_text=True)
    assert '<form id="browse-form"' in html and 'method="get"' in html
    assert 'value="coupon"' in html
    assert "2</strong> capabilities" in html
    assert "Coupon engine" in html and "Order service" not in html


def test_htmx_gets_only_the_results_fragment(client, catalog):
    response = client.get("/capabilities?q=coupon", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<form" not in html
    assert "Coupon engine" in html
    assert 'id="facets"' in html and 'hx-swap-oob="true"' in html


def test_boosted_htmx_request_gets_the_page(client, catalog):
    response = client.get("/capabilities", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_bad_parameters_on_the_page_are_explained(client, catalog):
    response = client.get("/capabilities?page=zero")
    assert response.status_code == 200
    assert "page must be a whole number" in response.get_data(as_text=True)


def test_empty_result_says_so(client, catalog):
    html = client.get("/capabilities?q=zzzz").get_data(as_text=True)
    assert "No capability matches" in html


def test_pager_links_keep_the_query(client, catalog):
    html = client.get("/capabilities?q=e&per_page=2").get_data(as_text=True)
    assert 'href="/capabilities?q=e&amp;page=2&amp;per_page=2"' in html

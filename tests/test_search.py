"""Search finds a capability by its domain, team and API names, and suggests a fix for typos."""

import pytest

from catalog.browse import BrowseQuery, browse
from catalog.capabilities import update_capability
from catalog.lookups import by_slug
from catalog.models import Capability
from catalog.search import did_you_mean


@pytest.fixture
def catalog(make):
    make.team("loyalty", name="Loyalty Crew")
    make.team("trade", name="Trade platform")
    make.domain("membership", name="Membership")
    make.domain("transaction", name="Transaction")
    make.capability("member-account", name="Member Account", domain="membership", team="trade")
    make.capability("points-center", name="Points Center", domain="membership", team="loyalty",
                    summary="Earn and spend points.")
    make.capability("order-service", name="Order Service", team="trade",
                    summary="Takes orders.", apis=[{"name": "Checkout gateway", "kind": "grpc"}])
    return make


def slugs(**args):
    return sorted(c.slug for c in browse(BrowseQuery.from_args(args)).items)


def test_a_domain_name_finds_every_capability_of_the_domain(catalog):
    """Regression: "membership" found only the capabilities naming it, not the domain's."""
    assert slugs(q="membership") == ["member-account", "points-center"]


def test_a_team_name_finds_what_the_team_owns(catalog):
    assert slugs(q="crew") == ["points-center"]
    assert slugs(q="trade") == ["member-account", "order-service"]


def test_an_api_name_finds_its_capability(catalog):
    assert slugs(q="gateway") == ["order-service"]
    assert slugs(q="checkout gat") == ["order-service"]


def test_every_word_must_still_match(catalog):
    assert slugs(q="membership points") == ["points-center"]
    assert slugs(q="membership gateway") == []


def test_filters_still_apply_to_context_matches(catalog):
    assert slugs(q="membership", team="loyalty") == ["points-center"]


def test_a_typo_gets_a_suggestion_from_the_catalog_vocabulary(catalog):
    result = browse(BrowseQuery.from_args({"q": "memebership"}))
    assert result.total == 0
    assert result.suggestion == "membership"


def test_no_suggestion_when_something_matches_or_nothing_is_close(catalog):
    assert browse(BrowseQuery.from_args({"q": "membership"})).suggestion == ""
    assert browse(BrowseQuery.from_args({"q": "zzzzzzzz"})).suggestion == ""


def test_the_vocabulary_follows_catalog_writes(catalog):
    assert did_you_mean("warehuose") == ""
    catalog.capability("warehouse", name="Warehouse")
    assert did_you_mean("warehuose") == "warehouse"


def test_own_text_matches_follow_catalog_writes(catalog):
    """The words of a summary are found as soon as it is saved (on PostgreSQL, from memory)."""
    assert slugs(q="spend") == ["points-center"]
    update_capability(by_slug(Capability, "order-service"),
                      {"summary": "Takes orders; spend a voucher."}, None)
    assert slugs(q="spend") == ["order-service", "points-center"]
    assert slugs(q="voucher") == ["order-service"]


def test_the_page_offers_the_suggestion_and_keeps_filters(client, catalog):
    html = client.get("/capabilities?q=memebership&lifecycle=proposed").get_data(as_text=True)
    assert "Did you mean" in html
    assert 'href="/capabilities?q=membership&amp;lifecycle=proposed"' in html


def test_the_empty_state_links_to_clearing_the_filters(client, catalog):
    html = client.get("/capabilities?q=points&team=trade").get_data(as_text=True)
    assert "No capability matches" in html
    assert 'class="clear-filters" href="/capabilities?q=points"' in html


def test_the_empty_state_without_filters_links_to_everything(client, catalog):
    html = client.get("/capabilities?q=zzzzzzzz").get_data(as_text=True)
    assert 'class="clear-filters" href="/capabilities"' in html


def test_hostile_search_text_is_escaped_in_the_suggestion(client, catalog):
    html = client.get("/capabilities?q=<script>memebership").get_data(as_text=True)
    assert "<script>memebership" not in html

"""Every list's filters are declared once: read from a request, written back into its URLs and
described in the OpenAPI document from the same declaration."""

import datetime as dt

import pytest

from catalog.adoptions import AdoptionFilters
from catalog.browse import BrowseQuery
from catalog.changes import ChangeFilters
from catalog.deliveries import DeliveryFilters
from catalog.errors import ValidationFailed
from catalog.incubation import PlanFilters
from catalog.reviews import ReviewFilters
from catalog.validation import Errors, check_text
from graphs.params import GraphQuery

SLUG_MESSAGE = "must be kebab-case"

ASKED = [
    (BrowseQuery, {"q": "order  events", "layer": "business-platform", "tier": "1",
                   "sort": "name", "page": "2"}),
    (AdoptionFilters, {"business": "taobao", "active": "false", "per_page": "50"}),
    (DeliveryFilters, {"capability": "order-service", "since": "2025-01-01",
                       "until": "2025-03-31", "open": "false"}),
    (ChangeFilters, {"entity": "capability:checkout", "team": "trade", "kind": "capability",
                     "actor": "ana", "since": "2025-01-01T08:30:00", "until": "2025-02-01"}),
    (ReviewFilters, {"status": "decided"}),
    (PlanFilters, {"team": "growth", "page": "3"}),
]


@pytest.mark.parametrize("filters_class, args", ASKED, ids=lambda v: getattr(v, "__name__", ""))
def test_a_list_reads_back_the_url_it_writes(filters_class, args):
    filters = filters_class.from_args(args)
    assert filters_class.from_args(filters.args()) == filters
    assert filters.args(page=None) == {key: value for key, value in filters.args().items()
                                       if key != "page"}


def test_values_are_parsed_once_for_every_list():
    deliveries = DeliveryFilters.from_args({"since": "2025-01-01", "open": "no"})
    assert (deliveries.since, deliveries.open) == (dt.date(2025, 1, 1), False)
    assert ChangeFilters.from_args({"until": "2025-02-01"}).until == dt.datetime(
        2025, 2, 1, 23, 59, 59, 999999)
    assert ReviewFilters.from_args({}).status == "pending"
    assert BrowseQuery.from_args({"q": "  gift   cards "}).q == "gift cards"


@pytest.mark.parametrize("filters_class, name", [
    (AdoptionFilters, "business"), (DeliveryFilters, "capability"), (ChangeFilters, "team"),
    (PlanFilters, "team"),
])
def test_a_bad_slug_gets_the_slug_message_on_every_list(filters_class, name):
    with pytest.raises(ValidationFailed) as failed:
        filters_class.from_args({name: "Trade Team"})
    assert SLUG_MESSAGE in failed.value.errors[name][0]


@pytest.mark.parametrize("filters_class, name, label", [
    (BrowseQuery, "layer", "Layer"), (BrowseQuery, "sort", "Sort"),
    (ReviewFilters, "status", "Status"),
])
def test_a_bad_choice_names_the_choices(filters_class, name, label):
    with pytest.raises(ValidationFailed) as failed:
        filters_class.from_args({name: "nope"})
    assert failed.value.errors[name][0].startswith(f"{label} must be one of: ")


def test_the_rules_that_tie_two_filters_still_hold():
    with pytest.raises(ValidationFailed) as failed:
        DeliveryFilters.from_args({"since": "2025-06-01", "until": "2025-01-01", "open": "true"})
    assert sorted(failed.value.errors) == ["open", "until"]


def test_the_api_documents_each_declared_filter(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {p["name"]: p["schema"] for p in spec["paths"]["/adoptions"]["get"]
                  ["parameters"] if p["in"] == "query"}
    assert set(AdoptionFilters.parameters()) <= set(documented)
    assert documented["active"]["description"] == "In use today or not."
    changes = {p["name"]: p["schema"] for p in spec["paths"]["/changes"]["get"]
               ["parameters"] if p["in"] == "query"}
    assert changes["kind"]["enum"] == list(ChangeFilters.parameters()["kind"]["enum"])


@pytest.mark.parametrize("path, name", [
    ("/graph", "domain"), ("/graph", "business"), ("/capabilities/order-service/impact", "team"),
    ("/changes", "team"), ("/api/v1/adoptions", "business"), ("/api/v1/deliveries", "capability"),
])
def test_pages_and_the_api_say_the_same_about_a_bad_slug(client, make, path, name):
    make.team("trade")
    make.domain("transaction")
    make.capability("order-service")
    response = client.get(path, query_string={name: "Trade Team"})
    assert response.status_code in ((422,) if path.startswith("/api") else (200, 422))
    assert f"{name.capitalize()} must be kebab-case" in response.get_data(as_text=True)


def test_checking_values_builds_no_new_validator_per_request():
    from catalog import fields

    AdoptionFilters.from_args({"business": "taobao"})
    GraphQuery.from_args({"domain": "trade"})
    built = fields._adapter.cache_info().currsize
    for _ in range(50):
        AdoptionFilters.from_args({"business": "taobao", "capability": "checkout"})
        GraphQuery.from_args({"domain": "trade", "business": "taobao"})
    assert fields._adapter.cache_info().currsize == built
    for _ in range(50):
        check_text("Social shopping", Errors(), "purpose", "Purpose", 280)
    assert fields._adapter.cache_info().currsize <= built + 1

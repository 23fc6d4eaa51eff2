"""One rule and one message for a bad page (and per_page), on every page and in the API."""

import pytest

MESSAGE = "page must be a whole number from 1 to 100,000."


@pytest.fixture
def catalog(make):
    make.team("trade")
    make.domain("transaction")
    make.capability("order-service", lifecycle="production")


@pytest.mark.parametrize("path", [
    "/capabilities", "/changes", "/governance/blast", "/teams/trade",
    "/capabilities/order-service/impact", "/capabilities/order-service/consumers",
    "/graph/table",
])
@pytest.mark.parametrize("bad", ["zero", "0", "-1", "1e3", "100001"])
def test_pages_say_the_same_about_a_bad_page(client, catalog, path, bad):
    response = client.get(path, query_string={"page": bad})
    assert response.status_code in (200, 422)
    assert MESSAGE in response.get_data(as_text=True), path


@pytest.mark.parametrize("path", [
    "/api/v1/capabilities", "/api/v1/changes", "/api/v1/deliveries", "/api/v1/adoptions",
])
def test_the_api_says_it_too(client, catalog, path):
    response = client.get(path, query_string={"page": "zero"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["page"] == [MESSAGE]


def test_counts_follow_the_same_rule(client, catalog):
    response = client.get("/api/v1/metrics/reuse", query_string={"top": "1e3"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["top"] == ["top must be a whole number from 1 to 1,000."]

"""The capability form without JavaScript: add APIs and dependencies by submitting the form.

With JavaScript htmx does these steps in place; without it, the same buttons
submit the form and the server shows it again, one step further, saving nothing.
"""

import re

import pytest

from tests.conftest import capability_form


@pytest.fixture
def catalog(make):
    make.trade_and_growth()
    make.capability("search-engine", name="Search Engine", domain="search", team="growth")
    make.capability("order-service", team="trade", apis=[{"name": "Orders", "kind": "thrift"}])
    return make


def test_add_another_api_shows_one_more_row_and_saves_nothing(client, catalog, login, unchanged):
    login("contributor", team="trade")
    unchanged()
    response = client.post("/capabilities/new", data=capability_form(
        client, form_action="add-api", **{"apis-0-name": "Pricing API", "apis-0-kind": "grpc"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Pricing API"' in html
    assert re.search(r'<input[^>]*autofocus[^>]*id="apis-1-name"|<input[^>]*id="apis-1-name"[^>]*autofocus', html)
    assert 'value="Order pricing"' in html  # what was typed stays
    assert "Nothing was saved" not in html
    unchanged.check()


def test_find_and_add_a_dependency_without_javascript(client, catalog, login, unchanged):
    login("contributor", team="trade")
    unchanged()
    found = client.post("/capabilities/new", data=capability_form(
        client, form_action="find-dependency", q="search"))
    html = found.get_data(as_text=True)
    assert found.status_code == 200
    assert re.search(r'type="submit" name="dep_add" value="search-engine"', html)
    added = client.post("/capabilities/new", data=capability_form(client, dep_add="search-engine"))
    html = added.get_data(as_text=True)
    assert added.status_code == 200
    assert '<input type="hidden" name="dep_provider" value="search-engine">' in html
    unchanged.check()
    saved = client.post("/capabilities/new", data=capability_form(
        client, dep_provider="search-engine", dep_kind="data"))
    assert saved.status_code == 302


def test_an_unknown_dependency_added_is_named_not_saved(client, catalog, login, unchanged):
    login("contributor", team="trade")
    unchanged()
    html = client.post("/capabilities/new", data=capability_form(
        client, dep_add="<b>ghost</b>")).get_data(as_text=True)
    assert "&lt;b&gt;ghost&lt;/b&gt;" in html and "<b>ghost</b>" not in html
    unchanged.check()


def test_a_viewer_cannot_use_the_steps(client, catalog, login, unchanged):
    login("viewer")
    unchanged()
    response = client.post("/capabilities/new", data=capability_form(client, form_action="add-api"))
    assert response.status_code == 403
    unchanged.check()


def test_enter_saves_rather_than_adding_an_api(client, catalog, login):
    """The first submit button is the default one (Enter in a field): it must save."""
    login("contributor", team="trade")
    html = client.get("/capabilities/new").get_data(as_text=True)
    first = re.search(r"<button[^>]*type=\"submit\"[^>]*>([^<]*)<", html[html.index('class="capability-form"'):])
    assert first.group(1) == "Register capability"


def test_api_kind_is_a_choice_that_keeps_other_kinds(client, catalog, login):
    login("contributor", team="trade")
    html = client.get("/capabilities/order-service/edit").get_data(as_text=True)
    kind = re.search(r'<select[^>]*id="apis-0-kind".*?</select>', html, re.S).group(0)
    assert '<option selected value="thrift">' in kind or '<option value="thrift" selected>' in kind
    assert 'value="grpc"' in kind
    row = client.get("/capabilities/api-row?index=2").get_data(as_text=True)
    assert re.search(r'<select[^>]*id="apis-2-kind"', row)
    assert "autofocus" in row

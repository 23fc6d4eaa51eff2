"""A capability's direct consumers on its page: grouped by domain or team with counts, in pages."""

import re

import pytest

from tests.test_impact_page import hub  # noqa: F401 (the fixture)


def listed(html):
    section = html[html.index('id="consumer-list"'):]
    return re.findall(r'<li><a href="/capabilities/([a-z0-9-]+)">', section)


def test_the_page_shows_groups_with_counts_and_the_first_page(client, hub):  # noqa: F811
    html = client.get("/capabilities/queue").get_data(as_text=True)
    assert "120: 0 businesses adopt it, 120 capabilities depend on it" in html
    groups = html[html.index('class="groups"'):]
    assert re.search(r'Transaction <span class="count">120</span>', groups)
    assert len(listed(html)) == 25 and "1–25 of 120" in html


def test_grouped_by_team_and_filtered_to_one(client, hub):  # noqa: F811
    html = client.get("/capabilities/queue/consumers?group=team").get_data(as_text=True)
    groups = html[html.index('class="groups"'):]
    assert groups.index("Trade") < groups.index("Growth")
    growth = client.get("/capabilities/queue/consumers?group=team&value=growth&page=2",
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in growth and "26–30 of 30" in growth
    assert listed(growth) == [f"consumer-{i:03d}" for i in range(25, 30)]


def test_without_javascript_the_pages_are_a_page(client, hub):  # noqa: F811
    html = client.get("/capabilities/queue/consumers?page=5").get_data(as_text=True)
    assert "<html" in html and "Capabilities using Queue" in html and "101–120 of 120" in html


@pytest.mark.parametrize("query, field", [("?group=tier", "group"), ("?page=-1", "page"),
                                          ("?value=%22%3E%3Cb%3E", "value")])
def test_bad_parameters_name_the_field(client, hub, query, field):  # noqa: F811
    response = client.get(f"/capabilities/queue/consumers{query}")
    assert response.status_code == 422 and field in response.get_data(as_text=True)
    assert "<b>" not in response.get_data(as_text=True)


def test_unknown_capability(client, db):
    assert client.get("/capabilities/ghost/consumers").status_code == 404

"""Reuse and delivery pages: dashboards, adoptions, deliveries, CSV upload and export.

The dashboards must show the numbers the JSON API returns (both call the same
functions); the forms write through the catalog services and write nothing
when the input is bad.
"""

import base64
import datetime as dt
import io
import json
import re
from html import unescape

import pytest
import sqlalchemy as sa
from conftest import csrf_token

from catalog.metrics import quarter_bounds, quarter_of
from catalog.models import Adoption, Business, Delivery
from catalog.models._time import today
from catalog.seed import seed_demo
from tests.bad_inputs import BAD_ADOPTIONS

FIGURES = re.compile(r'<script type="application/json" id="figures">(.*?)</script>', re.DOTALL)


def figures(html: str) -> dict:
    match = FIGURES.search(html)
    assert match, "no figures data island on the page"
    return json.loads(match.group(1))


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def org(make):
    """Taobao (owned by taobao-team) and Tmall; three capabilities, one retired."""
    make.taobao_and_tmall()
    make.capability("order-center", lifecycle="production", apis=[{"name": "Orders"}])
    make.capability("checkout", lifecycle="production", dependencies=["order-center"])
    make.capability("legacy-cart", lifecycle="retired")
    return make


@pytest.fixture
def demo(db):
    seed_demo()


def post_form(client, path, data, page=None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or path)})


# -- dashboards ---------------------------------------------------------------------------


@pytest.mark.parametrize("path, words", [
    ("/", ["The catalog is empty"]),
    ("/reuse", ["The catalog is empty"]),
    ("/delivery", ["No deliveries yet"]),
])
def test_an_empty_catalog_says_so_instead_of_drawing(client, path, words):
    response = client.get(path)
    assert response.status_code == 200
    html = text(response)
    for word in words:
        assert word in html
    assert 'id="figures"' not in html and "plotly.min.js" not in html


def test_a_catalog_without_deliveries_draws_empty_figures_that_say_so(client, org):
    html = text(client.get("/"))
    home = figures(html)
    assert home["story"]["data"] == []
    assert "Not enough deliveries yet" in home["story"]["summary"]
    assert "n/a" in html  # no median lead time this quarter, nor a year ago
    assert client.get("/reuse").status_code == 200
    assert "No deliveries yet" in text(client.get("/delivery"))


@pytest.mark.parametrize("path", [
    "/", "/reuse", "/delivery", "/delivery?business=fliggy&quarters=8",
    "/delivery?since=2025-01-01&until=2025-06-30", "/businesses/taobao",
    "/businesses/fliggy", "/capabilities/youku-membership", "/deliveries/export.csv",
])
def test_demo_pages_answer(client, demo, path):
    assert client.get(path).status_code == 200


def test_reuse_page_shows_the_api_numbers(client, demo):
    api = client.get("/api/v1/metrics/reuse").get_json()
    html = text(client.get("/reuse"))

    assert f"{api['reuse_rate'] * 100:g}%" in html
    board = html[html.index('id="leaderboard"'):html.index('id="matrix"')]
    assert re.findall(r'data-slug="([^"]+)"', board) == [c["slug"] for c in api["items"]]
    assert [int(n) for n in re.findall(r'class="reach-value">(\d+)<', board)] == [
        c["business_reach"] for c in api["items"]]
    assert [int(n) for n in re.findall(r'data-label="Direct consumers" class="num">(\d+)<',
                                       board)] == [c["direct_consumers"] for c in api["items"]]
    trend = figures(html)["trend"]["data"][0]
    assert trend["x"] == [q["quarter"] for q in api["over_time"]]
    assert trend["y"] == [round(q["reuse_rate"] * 100, 1) for q in api["over_time"]]


def test_the_matrix_marks_cross_business_cells_and_links_to_capabilities(client, demo):
    matrix = client.get("/api/v1/metrics/reuse/matrix").get_json()
    html = text(client.get("/reuse"))
    section = html[html.index('id="matrix"'):html.index('id="map"')]
    grid = section[section.index('<table class="matrix"'):]

    shared = [c for c in matrix["cells"] if c["cross_business"]]
    assert {c["capability"] for c in shared} == {"youku-membership"}
    direct = sum(c["via"] == "adoption" for c in shared)
    assert (f"Youku VIP Membership, owned by Youku, is used by {len(shared)} other businesses "
            f"({direct} directly).") in section
    assert len(re.findall(r'class="cell [di] x"', grid)) == len(shared)
    assert grid.count('href="/capabilities/youku-membership"') == 1 + len(
        [c for c in matrix["cells"] if c["capability"] == "youku-membership"])


@pytest.mark.parametrize("query", ["", "business=fliggy", "since=2025-01-01&until=2025-12-31"])
def test_delivery_page_shows_the_api_numbers(client, demo, query):
    api = client.get(f"/api/v1/metrics/delivery?{query}").get_json()
    html = text(client.get(f"/delivery?{query}"))
    figs = figures(html)

    median, p85 = figs["trend"]["data"]
    assert median["x"] == [q["quarter"] for q in api["quarters"]]
    assert median["y"] == [q["median_days"] for q in api["quarters"]]
    assert p85["y"] == [q["p85_days"] for q in api["quarters"]]
    by_name = {b["name"]: b for b in api["businesses"]}
    bars = figs["businesses"]["data"][0]
    assert bars["x"] == [by_name[name]["median_days"] for name in bars["y"]]
    boxes = {t["name"].split(" (")[0]: t["median"][0] for t in figs["cohorts"]["data"]}
    assert boxes == {c["cohort"].replace("none", "None"): c["median_days"]
                     for c in api["cohorts"] if c["count"]}
    overall = api["overall"]
    assert f"<strong>{overall['median_days']:g} days</strong><span>median lead time" in html
    assert f"<strong>{api['open']['count']}</strong><span>still open" in html


def test_htmx_gets_the_delivery_body_for_other_filters(client, demo):
    response = client.get("/delivery?quarters=4&business=taobao", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "HX-Request" in response.headers["Vary"]
    first = quarter_of(today())
    for _ in range(3):
        first = quarter_of(quarter_bounds(first)[0] - dt.timedelta(days=1))
    since = quarter_bounds(first)[0].isoformat()
    api = client.get(f"/api/v1/metrics/delivery?business=taobao&since={since}").get_json()
    island = json.loads(re.search(r'<script type="application/json" id="figures">(.*?)</script>',
                                  html, re.S).group(1))
    assert island["trend"]["data"][0]["y"] == [q["median_days"] for q in api["quarters"]]
    assert f'href="/deliveries/export.csv?business=taobao&amp;since={since}"' in html
    assert 'id="business-table"' in html and "median lead time" in html


@pytest.mark.parametrize("query, field", [("since=2025-13-01", "since"), ("quarters=5", "quarters"),
                                          ("since=2025-06-01&until=2025-01-01", "until")])
def test_bad_filters(client, demo, query, field):
    api = client.get(f"/api/v1/metrics/delivery?{query}") if field != "quarters" else None
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(f"/delivery?{query}", headers=headers)
        assert page.status_code == 200  # the problem above unfiltered figures
        assert 'id="figure-errors" class="form-errors" role="alert" >' in page.get_data(as_text=True)
        if api is not None:
            assert api.get_json()["errors"][field][0] in text(page)


def test_home_tells_the_story_with_the_api_numbers(client, demo):
    reuse = client.get("/api/v1/metrics/reuse").get_json()
    lead = {q["quarter"]: q for q in client.get("/api/v1/metrics/delivery").get_json()["quarters"]}
    html = text(client.get("/"))
    this = quarter_of(today())
    year_ago = f"{int(this[:4]) - 1}{this[4:]}"

    assert f"{reuse['reuse_rate'] * 100:g}%" in html
    assert f"{lead[this]['median_days']:g} days</strong>" in html
    assert f"against {lead[year_ago]['median_days']:g} days a year earlier ({year_ago})" in html
    figs = figures(html)
    assert set(figs) == {"story", "lead-spark", "reuse-spark"}
    assert figs["story"]["summary"].startswith("Median lead time fell from")
    assert "while the reuse rate rose" in figs["story"]["summary"]
    for item in reuse["items"][:5]:
        assert f'href="/capabilities/{item["slug"]}"' in html


def test_export_is_csv_with_the_filters(client, demo):
    response = client.get("/deliveries/export.csv?business=fliggy")
    assert response.mimetype == "text/csv"
    lines = text(response).splitlines()
    assert lines[0].startswith("business,title,requested_on")
    assert lines[1:] and all(line.startswith("fliggy,") for line in lines[1:])


# -- capability and business pages --------------------------------------------------------


def test_capability_page_lists_the_deliveries_that_reused_it(client, demo):
    html = text(client.get("/capabilities/member-account"))
    reused = client.get("/api/v1/deliveries?capability=member-account").get_json()["total"]
    assert "Deliveries that reused it" in html
    assert re.search(r"\([\d,]+ delivered", html)
    assert reused > 0
    assert 'href="/deliveries/export.csv?capability=member-account"' in html


def test_adopt_and_end_buttons_for_those_who_may(client, org, login):
    page = text(client.get("/capabilities/checkout"))
    assert "/adoptions/new" not in page  # anonymous
    login("contributor", team="taobao-team")
    assert 'href="/adoptions/new?capability=checkout"' in text(client.get("/capabilities/checkout"))
    assert "/adoptions/new" not in text(client.get("/capabilities/legacy-cart"))  # retired
    post_form(client, "/adoptions/new", {"business": "taobao", "capability": "checkout",
                                         "since": "2024-01-01"})
    business = text(client.get("/businesses/taobao"))
    assert 'href="/adoptions/new?business=taobao"' in business
    assert re.search(r'action="/adoptions/\d+/end"', business)
    assert "Record a delivery" in business
    assert "/adoptions/" not in text(client.get("/businesses/tmall"))  # not their business


# -- adoptions ----------------------------------------------------------------------------


def test_the_adoption_form_is_prefilled(client, org, login):
    login("architect")
    html = text(client.get("/adoptions/new?capability=order-center"))
    assert "Adopt Order Center" in html
    assert 'value="order-center"' in html
    assert '<option value="Orders">' in html  # its APIs are suggested
    assert f'value="{today().isoformat()}"' in html
    html = text(client.get("/adoptions/new?business=tmall"))
    assert '<option selected value="tmall">' in html


def test_adopting_records_it_and_returns_to_the_capability(client, org, login, db):
    login("contributor", team="taobao-team")
    response = post_form(client, "/adoptions/new", {
        "business": "taobao", "capability": "order-center", "api": "orders",
        "purpose": "Order list", "since": "2025-02-03", "return_to": "capability"},
        page="/adoptions/new?capability=order-center")
    assert response.status_code == 302
    assert response.headers["Location"] == "/capabilities/order-center"
    adoption = db.session.scalar(sa.select(Adoption))
    assert (adoption.business.slug, adoption.capability.slug, adoption.api.name,
            adoption.purpose, adoption.since) == ("taobao", "order-center", "Orders",
                                                  "Order list", dt.date(2025, 2, 3))
    assert "Taobao now uses Order Center." in text(client.get("/capabilities/order-center"))


@pytest.mark.parametrize("changes, field, words, status", BAD_ADOPTIONS)
def test_a_bad_adoption_shows_the_field_message_and_writes_nothing(
        client, org, login, unchanged, changes, field, words, status):
    login("architect")
    unchanged()
    response = post_form(client, "/adoptions/new", {
        "business": "taobao", "capability": "checkout", "since": "2025-01-01", **changes})
    assert response.status_code == status
    html = text(response)
    errors = re.search(rf'id="{field}-errors"[^>]*>(.*?)</div>', html, re.DOTALL).group(1)
    assert words in unescape(errors)
    assert "Nothing was saved" in html
    unchanged.check()


def test_adopting_twice_is_refused_with_the_reason(client, org, login, unchanged):
    login("architect")
    data = {"business": "taobao", "capability": "checkout", "since": "2025-01-01"}
    assert post_form(client, "/adoptions/new", data).status_code == 302
    unchanged()
    response = post_form(client, "/adoptions/new", data)
    assert response.status_code == 409
    assert "Taobao already adopts &#39;checkout&#39;" in text(response)
    unchanged.check()


def test_capability_suggestions_and_its_apis(client, org):
    html = text(client.get("/adoptions/options?capability=order-center"))
    assert '<option value="order-center">Order Center</option>' in html
    assert 'id="api-options" hx-swap-oob="true"><option value="Orders">' in html


def test_ending_an_adoption(client, org, login, db):
    login("contributor", team="taobao-team")
    post_form(client, "/adoptions/new", {"business": "taobao", "capability": "checkout",
                                         "since": "2024-01-01"})
    adoption = db.session.scalar(sa.select(Adoption))
    response = post_form(client, f"/adoptions/{adoption.id}/end",
                         {"until": "2025-06-30", "return_to": "business"},
                         page="/businesses/taobao")
    assert response.status_code == 302 and response.headers["Location"] == "/businesses/taobao"
    db.session.expire_all()
    assert db.session.get(Adoption, adoption.id).until == dt.date(2025, 6, 30)
    html = text(client.get("/businesses/taobao"))
    assert "Taobao stopped using Checkout on 2025-06-30." in html
    assert "Stopped using" in html


def test_ending_with_a_bad_date_says_why_and_changes_nothing(client, org, login, db, unchanged):
    login("architect")
    post_form(client, "/adoptions/new", {"business": "taobao", "capability": "checkout",
                                         "since": "2024-01-01"})
    adoption_id = db.session.scalar(sa.select(Adoption.id))
    unchanged()
    future = (today() + dt.timedelta(days=3)).isoformat()
    response = post_form(client, f"/adoptions/{adoption_id}/end", {"until": future})
    assert response.status_code == 302
    assert "Until cannot be in the future" in text(client.get(response.headers["Location"]))
    unchanged.check()


# -- deliveries ---------------------------------------------------------------------------


def test_recording_a_delivery(client, org, login, db):
    login("contributor", team="taobao-team")
    html = text(client.get("/deliveries/new?business=taobao"))
    assert '<option selected value="taobao">' in html
    assert '<option value="tmall">' not in html  # only businesses they may record for
    response = client.post("/deliveries/new", data={
        "business": "taobao", "title": "Gift cards", "requested_on": "2025-03-01",
        "delivered_on": "2025-04-10", "capabilities": ["checkout", "order-center"],
        "external_ref": "TB-1", "csrf_token": csrf_token(client, "/deliveries/new")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/delivery?business=taobao"
    delivery = db.session.scalar(sa.select(Delivery))
    assert (delivery.title, delivery.lead_time_days, delivery.source, delivery.external_ref,
            sorted(c.slug for c in delivery.capabilities)) == (
        "Gift cards", 40, "form", "TB-1", ["checkout", "order-center"])
    assert "40 days from request to delivery" in text(client.get(response.headers["Location"]))


def test_a_bad_delivery_keeps_the_rows_and_shows_each_message(client, org, login, unchanged):
    login("architect")
    unchanged()
    response = client.post("/deliveries/new", data={
        "business": "taobao", "title": "", "requested_on": "2025-05-01",
        "delivered_on": "2025-04-01", "capabilities": ["checkout", "nope"],
        "csrf_token": csrf_token(client, "/deliveries/new")})
    assert response.status_code == 422
    html = text(response)
    assert "Title" in re.search(r'id="title-errors"[^>]*>(.*?)</div>', html, re.DOTALL).group(1)
    assert "must not be before requested on" in html
    assert re.search(r'data-slug="nope">.*?Unknown capability &#39;nope&#39;', html, re.DOTALL)
    assert 'name="capabilities" value="checkout"' in html
    unchanged.check()


def test_the_reused_capability_picker(client, org):
    html = text(client.get("/deliveries/picker?q=order"))
    assert 'hx-get="/deliveries/picker/order-center"' in html
    assert "legacy-cart" not in text(client.get("/deliveries/picker?q=legacy"))  # retired
    row = text(client.get("/deliveries/picker/order-center"))
    assert 'name="capabilities" value="order-center"' in row
    assert client.get("/deliveries/picker/nope").status_code == 404


# -- CSV upload ---------------------------------------------------------------------------


GOOD = ("business,title,requested_on,delivered_on,capabilities,external_ref\n"
        "taobao,Gift cards,2025-03-01,2025-04-10,checkout;order-center,TB-1\n"
        "taobao,Live coupons,2025-05-01,,,TB-2\n")
BAD = ("business,title,requested_on,delivered_on,capabilities,external_ref\n"
       "taobao,Gift cards,2025-03-01,2025-04-10,checkout,TB-1\n"
       "taobao,Live coupons,2025-05-01,2025-04-01,,TB-2\n"
       "nowhere,Pay later,2025-05-01,,nope,TB-3\n")


def upload(client, content: str, name="deliveries.csv", **extra):
    return client.post("/deliveries/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(content.encode()), name),
        "csrf_token": csrf_token(client, "/deliveries/import"), **extra})


def test_upload_previews_and_writes_nothing_until_confirmed(client, org, login, db, unchanged):
    login("contributor", team="taobao-team")
    unchanged()
    response = upload(client, GOOD)
    assert response.status_code == 200
    html = text(response)
    assert "2 deliveries</strong> would be written (1 open, 2 capability links)" in html
    assert "Gift cards" in html and "Live coupons" in html and "40 days" in html
    unchanged.check()

    content = re.search(r'name="content" value="([^"]+)"', html).group(1)
    digest = re.search(r'name="confirm" value="([0-9a-f]{64})"', html).group(1)
    assert base64.b64decode(content).decode() == GOOD
    response = client.post("/deliveries/import", data={
        "content": content, "name": "deliveries.csv", "confirm": digest,
        "csrf_token": csrf_token(client, "/deliveries/import")})
    assert response.status_code == 302 and response.headers["Location"] == "/delivery"
    assert db.session.scalar(sa.select(sa.func.count(Delivery.id))) == 2
    assert "Imported 2 deliveries" in text(client.get("/delivery"))


def test_upload_reports_every_problem_by_row_and_column_and_writes_nothing(
        client, org, login, unchanged):
    login("architect")
    unchanged()
    response = upload(client, BAD, name="bad.csv")
    assert response.status_code == 422
    html = text(response)
    assert "3 problems in 2 of 3 rows of bad.csv" in html
    rows = re.findall(r'<td data-label="Row">(\d*)</td><td data-label="Line">(\d*)</td>\s*'
                      r'<td data-label="Column">([^<]*)</td><td data-label="Problem">([^<]*)</td>',
                      html)
    assert [(row, line, column) for row, line, column, _ in rows] == [
        ("2", "3", "delivered_on"), ("3", "4", "business"), ("3", "4", "capabilities")]
    assert "Unknown business &#39;nowhere&#39;." in rows[1][3]
    assert 'name="confirm"' not in html
    unchanged.check()


def test_a_confirmation_with_another_file_previews_that_one_instead(client, org, login,
                                                                     unchanged):
    login("architect")
    html = text(upload(client, GOOD))
    digest = re.search(r'name="confirm" value="([0-9a-f]{64})"', html).group(1)
    unchanged()
    other = GOOD.replace("Gift cards", "Gift boxes")
    response = upload(client, other, confirm=digest)
    assert response.status_code == 200
    assert "differs from the one you checked" in text(response) and "Gift boxes" in text(response)
    unchanged.check()


def test_a_file_too_large_to_carry_is_chosen_again_to_confirm(client, app, org, login, db,
                                                              monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FORM_MEMORY_SIZE", 4096 + 200)
    login("architect")
    rows = "".join(f"taobao,Feature {i},2025-03-01,2025-04-10,checkout,TB-{i}\n"
                   for i in range(20))
    content = GOOD.splitlines(keepends=True)[0] + rows
    html = text(upload(client, content))
    assert 'name="content"' not in html and "choose it again to confirm" in html
    digest = re.search(r'name="confirm" value="([0-9a-f]{64})"', html).group(1)
    response = upload(client, content, confirm=digest)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Delivery.id))) == 20


def test_upload_without_a_file(client, org, login, unchanged):
    login("architect")
    unchanged()
    response = client.post("/deliveries/import", data={
        "csrf_token": csrf_token(client, "/deliveries/import")})
    assert response.status_code == 400 and "Choose a CSV file" in text(response)
    unchanged.check()


def test_upload_for_another_teams_business_is_403_and_writes_nothing(client, org, login,
                                                                     unchanged):
    login("contributor", team="taobao-team")
    unchanged()
    response = upload(client, GOOD.replace("taobao,Live", "tmall,Live"))
    assert response.status_code == 403
    assert "tmall" in text(response)
    unchanged.check()


# -- permissions --------------------------------------------------------------------------


WRITE_PAGES = ["/adoptions/new", "/deliveries/new", "/deliveries/import"]


@pytest.mark.parametrize("path", WRITE_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, org, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_anonymous_end_is_sent_to_sign_in(client, org, db, unchanged):
    db.session.add(Adoption(business=db.session.scalar(sa.select(Business)),
                            capability=org.capability("search", lifecycle="production")))
    db.session.commit()
    adoption_id = db.session.scalar(sa.select(Adoption.id))
    unchanged()
    response = post_form(client, f"/adoptions/{adoption_id}/end", {}, page="/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    unchanged.check()


@pytest.mark.parametrize("path", WRITE_PAGES)
@pytest.mark.parametrize("role, team", [("viewer", ""), ("contributor", "trade")])
def test_who_may_not_record_gets_403(client, org, login, path, role, team):
    login(role, team=team)
    assert client.get(path).status_code == 403


def test_a_viewer_cannot_end_an_adoption(client, org, login, db, unchanged):
    login("architect", username="boss")
    post_form(client, "/adoptions/new", {"business": "taobao", "capability": "checkout",
                                         "since": "2024-01-01"})
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    login("viewer", team="")
    adoption_id = db.session.scalar(sa.select(Adoption.id))
    unchanged()
    assert post_form(client, f"/adoptions/{adoption_id}/end", {}, page="/").status_code == 403
    unchanged.check()


def test_a_contributor_cannot_adopt_for_another_teams_business(client, org, login, unchanged):
    login("contributor", team="taobao-team")
    unchanged()
    response = post_form(client, "/adoptions/new", {"business": "tmall", "capability": "checkout"})
    assert response.status_code == 403
    unchanged.check()


def test_a_business_with_only_open_deliveries_draws_no_chart(client, org, login):
    login("architect")
    client.post("/deliveries/new", data={
        "business": "tmall", "title": "Brand day", "requested_on": "2025-05-01",
        "csrf_token": csrf_token(client, "/deliveries/new")})
    html = text(client.get("/businesses/tmall"))
    assert "0 deliveries delivered" in html and "1 still open" in html
    assert "data-figure=" not in html and "plotly.min.js" not in html


# -- every chart has its table -------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/reuse", "/delivery", "/businesses/taobao"])
def test_every_chart_has_its_numbers_as_a_table(client, demo, path):
    """Without JavaScript a chart is an empty box: the table under it holds its numbers."""
    html = text(client.get(path))
    charts = re.findall(r'<figure class="chart.*?</figure>', html, re.S)
    drawn = figures(html)
    assert charts
    for chart in charts:
        key = re.search(r'data-figure="([^"]+)"', chart).group(1)
        if not any(trace.get("median") or trace.get("y") or trace.get("values")
                   for trace in drawn[key]["data"]):
            continue  # an empty figure says so in its annotation
        assert '<details class="chart-table">' in chart, key
        assert re.search(r'<th scope="row">[^<]+</th>', chart), key
    assert 'class="no-js"' in html
